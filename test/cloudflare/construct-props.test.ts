/**
 * Red-team hole F for the Cloudflare front door: missing or mistyped required props are a SpecValidationError naming
 * each path, all at once, never a TypeError.
 */
import { specProblemsOf, untypedProps } from '../support/synth';
import { Testing, TerraformStack } from '../../lib/util/cdktf';
import { CloudflareFrontDoor } from '../../lib/cloudflare/cloudflare-front-door';
import { cloudflareSpec, euUsEndpoints } from './fixtures';

const stack = () => new TerraformStack(Testing.app(), 'cf');

test('CloudflareFrontDoor with no props reports every required prop', () => {
  const found = specProblemsOf(() => new CloudflareFrontDoor(stack(), 'C', untypedProps({})));
  for (const start of [
    'cloudflare: is required',
    'endpoints: is required',
    'serviceName: is required',
    'serviceDomain: is required',
  ])
    expect(found).toContainEqual(expect.stringMatching(new RegExp(`^${start}`)));
  expect(specProblemsOf(() => new CloudflareFrontDoor(stack(), 'C', untypedProps(undefined)))).toContainEqual(
    expect.stringMatching(/^\(props\): are required/),
  );
});

test(
  'CloudflareFrontDoor: a non-list of endpoints, a non-object endpoint and a non-object originHostnames are ' +
    'reported by path',
  () => {
    expect(
      specProblemsOf(
        () =>
          new CloudflareFrontDoor(
            stack(),
            'C',
            untypedProps({
              endpoints: 'us-east-1',
              serviceName: 'chat',
              serviceDomain: 'inference.example.com',
              cloudflare: cloudflareSpec(),
            }),
          ),
      ),
    ).toEqual(['endpoints: must be a list of endpoints, got: "us-east-1"']);
    const found = specProblemsOf(
      () =>
        new CloudflareFrontDoor(
          stack(),
          'C',
          untypedProps({
            endpoints: [...euUsEndpoints(), 7],
            serviceName: 'chat',
            serviceDomain: 'inference.example.com',
            cloudflare: cloudflareSpec(),
            originHostnames: 'x',
          }),
        ),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^endpoints\[4\]: must be an endpoint/),
        'originHostnames: must be an object of hostnames by region code, got: "x"',
      ]),
    );
  },
);
