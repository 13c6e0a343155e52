/*
 * The spec is mapped to construct props in one place (lib/service/construct-props.ts), with every default already
 * filled: a construct given those props fills nothing of its own on top. Checked per example: what each construct
 * reports as its validated settings equals what the mapping handed it.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { App } from '../../lib/util/cdktf';
import { loadSpecFile } from '../../lib/spec/load';
import { endpointProps, serviceIntent } from '../../lib/service/construct-props';
import { readServiceIntent, SERVICE_INTENT_KEY, SERVICE_INTENT_VERSION } from '../../lib/intent/service-intent';
import { addGlobalInferenceStacks } from '../../stacks/global-inference-stacks';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const examples = readdirSync(EXAMPLES).filter((name) => existsSync(join(EXAMPLES, name, 'spec.yaml')));

test('there are examples to check', () => {
  expect(examples.length).toBeGreaterThanOrEqual(8);
});

describe.each(examples)('examples/%s', (example) => {
  const spec = loadSpecFile(join(EXAMPLES, example, 'spec.yaml'));
  const { service, aws } = addGlobalInferenceStacks(new App(), spec, { gate: false });

  test('each endpoint validates its mapped props to themselves: settings, health, models', () => {
    expect(spec.regions.length).toBeGreaterThan(0);
    for (const region of spec.regions) {
      const endpoint = service.endpoints[region.region];
      const mapped = endpointProps(spec, region, {
        provider: service.providerFor(region.region),
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      });
      expect(endpoint.settings).toEqual(mapped.settings);
      expect(endpoint.healthCheckPath).toBe(mapped.health!.path);
      expect(endpoint.models.map((m) => m.name)).toEqual(mapped.models.map((m) => m.name));
      const fleets = Object.values(endpoint.fleets);
      expect(fleets.length).toBe(mapped.models.length);
      for (const fleet of fleets) expect(fleet.model).toEqual(mapped.models.find((m) => m.name === fleet.model.name));
    }
  });

  test('the intent in the stack is the mapping of the spec', () => {
    const written = (aws.toTerraform() as { '//': Record<string, unknown> })['//'][SERVICE_INTENT_KEY];
    expect(written).toEqual({
      version: SERVICE_INTENT_VERSION,
      ...serviceIntent(spec, service.routingDomain, service.regionalHostnames),
    });
    expect(readServiceIntent(aws.toTerraform()).status).toBe('present');
  });
});
