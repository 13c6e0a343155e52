/**
 * Red-team hole F for the Cloudflare front door: missing or mistyped required props are a SpecValidationError naming
 * each path, all at once, never a TypeError.
 */
import { Testing, TerraformStack } from 'cdktf';
import { CloudflareFrontDoor } from '../../lib/cloudflare/cloudflare-front-door';
import { SpecValidationError } from '../../lib/spec/errors';
import { cloudflareSpec, euUsEndpoints } from './fixtures';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof SpecValidationError)) throw new Error(`expected a SpecValidationError, got ${String(error)}`);
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a SpecValidationError, none was thrown');
}
/* eslint-disable @typescript-eslint/no-explicit-any */
const untyped = (props: unknown) => props as any;
const stack = () => new TerraformStack(Testing.app(), 'cf');

test('CloudflareFrontDoor with no props reports every required prop', () => {
  const found = problemsOf(() => new CloudflareFrontDoor(stack(), 'C', untyped({})));
  for (const start of ['cloudflare: is required', 'endpoints: is required', 'serviceName: is required', 'serviceDomain: is required']) expect(found).toContainEqual(expect.stringMatching(new RegExp(`^${start}`)));
  expect(problemsOf(() => new CloudflareFrontDoor(stack(), 'C', untyped(undefined)))).toContainEqual(expect.stringMatching(/^\(props\): are required/));
});

test('CloudflareFrontDoor: a non-list of endpoints, a non-object endpoint and a non-object originHostnames are reported by path', () => {
  expect(problemsOf(() => new CloudflareFrontDoor(stack(), 'C', untyped({ endpoints: 'us-east-1', serviceName: 'chat', serviceDomain: 'inference.example.com', cloudflare: cloudflareSpec() })))).toEqual(['endpoints: must be a list of endpoints']);
  const found = problemsOf(() => new CloudflareFrontDoor(stack(), 'C', untyped({ endpoints: [...euUsEndpoints(), 7], serviceName: 'chat', serviceDomain: 'inference.example.com', cloudflare: cloudflareSpec(), originHostnames: 'x' })));
  expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^endpoints\[4\]: must be an endpoint/), 'originHostnames: must be an object of hostnames by region code']));
});
