// cdktf's jest matchers (registered in test/setup.ts), typed for @types/jest 30.
import type { TerraformConstructor } from 'cdktf/lib/testing/matchers';

declare global {
  namespace jest {
    interface Matchers<R, T = {}> {
      toHaveResource(resourceConstructor: TerraformConstructor): R;
      toHaveResourceWithProperties(resourceConstructor: TerraformConstructor, properties: Record<string, unknown>): R;
      toHaveProvider(providerConstructor: TerraformConstructor): R;
      toHaveProviderWithProperties(providerConstructor: TerraformConstructor, properties: Record<string, unknown>): R;
      /** A non-empty array whose every element satisfies the predicate (test/setup.ts). */
      toAllSatisfy<E = T extends readonly (infer I)[] ? I : never>(predicate: (item: E, index: number) => boolean): R;
      /** A non-empty array none of whose elements satisfies the predicate (test/setup.ts). */
      toNoneSatisfy<E = T extends readonly (infer I)[] ? I : never>(predicate: (item: E, index: number) => boolean): R;
    }
  }
}
