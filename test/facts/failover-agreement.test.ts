/*
 * The failover figure a construct exposes and the one the routing analysis proves come from one formula
 * (lib/facts/failover.ts). This holds them together from the outside: random monitor settings the schema accepts,
 * the front door's `failoverSeconds`, and the analysis' detection time read from the synthesized Terraform.
 */
import fc from 'fast-check';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { buildCloudflareModel } from '../../lib/analysis/cloudflare-model';
import { poolDetection } from '../../lib/analysis/cloudflare-timing';
import { CloudflareFrontDoor } from '../../lib/cloudflare/cloudflare-front-door';
import { SpecSchema } from '../../lib/spec/schema';
import { minimalSpec } from '../support/specs';
import { newStack, synthJson } from '../support/synth';
import { cloudflareSpec, euUsEndpoints } from '../cloudflare/fixtures';

const settings = fc
  .record({
    intervalSeconds: fc.integer({ min: 10, max: 300 }),
    timeoutSeconds: fc.integer({ min: 1, max: 10 }),
    retries: fc.integer({ min: 0, max: 5 }),
    consecutiveDown: fc.integer({ min: 1, max: 10 }),
    proxied: fc.boolean(),
  })
  // The schema requires timeout × (retries + 1) below the interval.
  .filter((s) => s.timeoutSeconds * (s.retries + 1) < s.intervalSeconds);

test('a Cloudflare front door’s failoverSeconds is the analysis’ detection time for each of its pools', () => {
  fc.assert(
    fc.property(settings, ({ proxied, ...monitor }) => {
      const { stack } = newStack('chat-cloudflare');
      const provider = new CloudflareProvider(stack, 'cloudflare', { alias: 'front_door' });
      const spec = SpecSchema.parse(
        minimalSpec({
          frontDoor: 'cloudflare',
          cloudflare: cloudflareSpec({ proxied, monitor, sessionAffinity: proxied ? undefined : { type: 'none' } }),
        }),
      );
      const frontDoor = new CloudflareFrontDoor(stack, 'FrontDoor', {
        endpoints: euUsEndpoints(),
        serviceName: spec.service.name,
        serviceDomain: spec.service.domain,
        health: spec.health,
        residency: spec.residency,
        cloudflare: spec.cloudflare!,
        provider,
      });
      const model = buildCloudflareModel([{ name: 'chat-cloudflare', json: synthJson(stack) }], () => 'us-east-1');
      expect(model.loadBalancers).toHaveLength(1);
      const pools = [...model.pools.keys()];
      expect(pools.length).toBeGreaterThan(0);
      for (const pool of pools)
        expect(poolDetection(model, model.loadBalancers[0], pool).seconds).toBe(frontDoor.failoverSeconds);
    }),
    { numRuns: 12, seed: 20261202 },
  );
});
