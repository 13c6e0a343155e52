import { buildDefaultExample } from '../../examples/default/main';
import { synthExample, snapshotView } from '../support/examples';
import { resourcesOf } from '../support/synth';

describe('default example (three regions from examples/default/spec.yaml)', () => {
  const { stacks } = synthExample(buildDefaultExample);
  const aws = stacks.find((s) => s.name === 'chat-aws')!;

  test('synthesizes one AWS stack with no data sources (so it plans offline)', () => {
    expect(stacks.map((s) => s.name)).toEqual(['chat-aws']);
    expect(aws.json.data).toBeUndefined();
  });

  test('one aliased provider per region', () => {
    const providers = (aws.json.provider?.aws ?? []).map((p) => [p.alias, p.region]);
    expect(providers.sort()).toEqual([
      ['ap-northeast-1', 'ap-northeast-1'],
      ['eu-west-1', 'eu-west-1'],
      ['us-east-1', 'us-east-1'],
    ]);
  });

  test('an endpoint per region, each with a certificate validated through one shared record', () => {
    expect(resourcesOf(aws.json, 'aws_lb')).toHaveLength(3);
    expect(resourcesOf(aws.json, 'aws_acm_certificate')).toHaveLength(3);
    expect(resourcesOf(aws.json, 'aws_acm_certificate_validation')).toHaveLength(3);
    const validationRecords = resourcesOf(aws.json, 'aws_route53_record').filter(([name]) =>
      name.includes('ValidationRecord'),
    );
    expect(validationRecords).toHaveLength(1);
    // The writer is the first region by code, independent of list order.
    expect(validationRecords[0][0]).toContain('ap-northeast-1');
  });

  test('the hosted zone cannot be destroyed by terraform', () => {
    expect(resourcesOf(aws.json, 'aws_route53_zone')[0][1]).toMatchObject({
      name: 'inference.example.com',
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  test('matches the reviewed snapshot', () => {
    expect(snapshotView(aws.json)).toMatchSnapshot();
  });
});
