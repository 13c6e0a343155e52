/**
 * Real Terraform on every synthesized stack that uses only the AWS provider: `terraform validate`, and
 * `terraform plan -refresh=false` for the stacks that promise an offline plan. Offline, against the provider
 * filesystem mirror (GI_TF_PROVIDER_MIRROR, auto-detected when unset).
 *
 * Where terraform or the mirror is missing, these tests are skipped with a loud notice; with
 * GI_REQUIRE_TERRAFORM=1 (as .ci/run sets) they fail instead.
 */
import { detectOfflineTerraform, OfflineWorkspace, requiredProviders, type OfflineTerraform } from '../../lib/terraform/offline-terraform';
import { OFFLINE_EXAMPLES } from '../support/example-catalog';
import { synthExample } from '../support/examples';

const detected = detectOfflineTerraform();
const tf = 'missing' in detected ? undefined : detected;
if (!tf) {
  const reason = (detected as { missing: string }).missing;
  if (process.env.GI_REQUIRE_TERRAFORM === '1') throw new Error(`GI_REQUIRE_TERRAFORM=1 but real terraform cannot run: ${reason}`);
  process.stderr.write(`\n*** SKIPPING real terraform validate/plan tests: ${reason} ***\n\n`);
}
const describeWithTerraform = tf ? describe : describe.skip;

describeWithTerraform('real terraform, offline', () => {
  // One initialised workspace validates every stack in turn (same provider, no new init each time).
  let validator: OfflineWorkspace | undefined;
  afterAll(() => validator?.dispose());

  for (const example of OFFLINE_EXAMPLES) {
    describe(example.name, () => {
      const { stacks } = synthExample(example.build);
      const awsOnly = stacks.filter((s) => requiredProviders(s.json).every((p) => p === 'aws'));

      test('has at least one AWS-only stack to check', () => {
        expect(awsOnly.length).toBeGreaterThan(0);
      });

      for (const stack of awsOnly) {
        test(`terraform validate accepts ${stack.name}`, () => {
          validator ??= new OfflineWorkspace(tf as OfflineTerraform, stack.dir);
          validator.replaceConfiguration(stack.json);
          const result = validator.validate();
          expect(result.diagnostics).toEqual([]);
          expect(result.ok).toBe(true);
        });

        if (example.plan) {
          test(`terraform plan -refresh=false creates every resource of ${stack.name}`, () => {
            const workspace = new OfflineWorkspace(tf as OfflineTerraform, stack.dir);
            try {
              const result = workspace.plan();
              if (!result.ok) throw new Error(`terraform plan failed:\n${result.stderr}\n${result.stdout.slice(-4000)}`);
              const resourceCount = Object.values(stack.json.resource ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
              expect(result.actions).toEqual({ create: resourceCount });
            } finally {
              workspace.dispose();
            }
          });
        }
      }
    });
  }
});
