/**
 * Red-team hole F for the edge router: missing hostnames or endpoints are a SpecValidationError naming each path, in
 * one report with the other props' problems, never a TypeError.
 */
import { specProblemsOf, untypedProps } from '../support/synth';
import { Testing, TerraformStack } from '../../lib/util/cdktf';
import { EdgeRouter } from '../../lib/edge-router/edge-router';
import { InferenceEndpointRef } from '../../lib/aws/inference-endpoint-ref';

const stack = () => new TerraformStack(Testing.app(), 'edge');
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const endpoint = InferenceEndpointRef.fromAttributes({
  region: 'us-east-1',
  albDnsName: 'a.example.com',
  albZoneId: 'ZABC',
  healthCheckPath: '/health',
  models: [{ name: 'llama', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '1' }],
});

test("EdgeRouter without hostnames names the missing hostname of each endpoint, with the other props' problems", () => {
  expect(
    specProblemsOf(
      () => new EdgeRouter(stack(), 'E', untypedProps({ accountId: ACCOUNT, endpoints: [endpoint], maxAttempts: 0 })),
    ),
  ).toEqual([
    expect.stringMatching(/^maxAttempts: /),
    'hostnames["us-east-1"]: is required: the public hostname of the us-east-1 endpoint, such as ' +
      'us-east-1.inference.example.com',
  ]);
});

test('EdgeRouter with no props, or endpoints that are not endpoints, reports each by path', () => {
  const none = specProblemsOf(() => new EdgeRouter(stack(), 'E', untypedProps(undefined)));
  for (const start of ['\\(props\\): are required', 'endpoints: is required', 'hostnames: is required', 'accountId: '])
    expect(none).toContainEqual(expect.stringMatching(new RegExp(`^${start}`)));
  const bad = specProblemsOf(
    () =>
      new EdgeRouter(
        stack(),
        'E',
        untypedProps({
          accountId: ACCOUNT,
          endpoints: [{ region: 'us-east-1' }, 'x'],
          hostnames: { 'us-east-1': 'us-east-1.inference.example.com' },
        }),
      ),
  );
  expect(bad).toEqual(
    expect.arrayContaining([
      'endpoints[0].healthCheckPath: is required (text)',
      'endpoints[0].models: is required (a list of { name, id, version })',
      expect.stringMatching(/^endpoints\[1\]: must be an endpoint/),
    ]),
  );
});
