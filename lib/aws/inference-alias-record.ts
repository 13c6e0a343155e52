import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { Route53Record, type Route53RecordConfig } from '@cdktf/provider-aws/lib/route53-record';
import { z } from 'zod';
import { aliasRecordTypes, recordName, route53ZoneId } from '../spec/fields';
import { DEFAULT_RECORD_TTL_SECONDS } from '../spec/schema';
import { isToken, PropsChecker } from '../util/validate';
import { checkHostedZone, checkInZone, objectProp, propsObject } from './prop-checks';
import type { IHostedZone } from './inference-hosted-zone';
import type { IInferenceEndpoint } from './inference-endpoint-ref';
import type { IHealthCheck } from './region-health-check';
import { RoutingPolicy } from './routing-policy';
import { protectLiterals } from '../util/terraform-literals';

/** A name an alias or CNAME points at: a DNS name (upper case allowed, as AWS prints ALB names), or a reference. */
const targetName = z
  .string()
  .regex(
    /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/,
    'must be a DNS name (or a reference)',
  );

/** What a record answers with. */
export abstract class RecordTarget {
  /** An alias of the endpoint's ALB (no TTL: Route53 answers with the ALB's current addresses). */
  static loadBalancer(endpoint: Pick<IInferenceEndpoint, 'albDnsName' | 'albZoneId'>): RecordTarget {
    return { kind: 'alias', aliasName: endpoint.albDnsName, aliasZoneId: endpoint.albZoneId };
  }

  /** An alias of another record set in the same zone (how routing policies are nested). */
  static record(name: string, zone: IHostedZone): RecordTarget {
    return { kind: 'alias', aliasName: name, aliasZoneId: zone.zoneId };
  }

  /** A CNAME to a hostname the library does not manage (uses the record TTL). */
  static hostname(hostname: string): RecordTarget {
    return { kind: 'cname', hostname };
  }

  /** `alias` (of an ALB or another record set) or `cname` (to an outside hostname). */
  abstract readonly kind: 'alias' | 'cname';
  /** DNS name the alias points at (`alias` targets). */
  readonly aliasName?: string;
  /** Hosted zone id of the alias target (`alias` targets): the ALB's zone, or the zone of the nested record. */
  readonly aliasZoneId?: string;
  /** Hostname the CNAME points at (`cname` targets). */
  readonly hostname?: string;
}

/** Props of {@link InferenceAliasRecord}: zone, name, target, and at most one routing policy. */
export interface InferenceAliasRecordProps {
  /** Zone the record lives in. */
  readonly zone: IHostedZone;
  /** Fully qualified record name. */
  readonly name: string;
  /** What the record answers with: `RecordTarget.loadBalancer(endpoint)`, `.record(name, zone)` or `.hostname(h)`. */
  readonly target: RecordTarget;
  /**
   * How Route53 chooses among the records of this name, from the `RoutingPolicy` factories.
   * @default RoutingPolicy.simple()
   */
  readonly policy?: RoutingPolicy;
  /**
   * Distinguishes records of the same name; required for every policy but simple. Derive it from a stable key.
   * @default - none (simple records only)
   */
  readonly setIdentifier?: string;
  /**
   * Health check deciding whether Route53 may answer with this record. @default - none (alias records still follow the
   * target's health when `evaluateTargetHealth`)
   */
  readonly healthCheck?: IHealthCheck;
  /**
   * Let the alias target's health decide too. Residency records turn it off so they never fall through to another
   * jurisdiction. @default true
   */
  readonly evaluateTargetHealth?: boolean;
  /** Record types to create (AAAA only for dualstack targets). @default ['A'] */
  readonly recordTypes?: ('A' | 'AAAA')[];
  /** TTL of a CNAME target. @default 60 */
  readonly ttlSeconds?: number;
  /** Leave live weight changes alone on later applies (lifecycle ignore_changes). @default false */
  readonly ignoreWeightChanges?: boolean;
  /** Route53 provider. @default - the stack's default AWS provider */
  readonly provider?: TerraformProvider;
}

/**
 * One routed answer for a name: an alias (or CNAME) record with exactly one routing policy.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import {
 *   HealthCheckRef,
 *   InferenceAliasRecord,
 *   InferenceEndpointRef,
 *   InferenceHostedZone,
 *   RecordTarget,
 *   RoutingPolicy,
 * } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'records');
 * new AwsProvider(stack, 'aws', { region: 'us-east-1' });
 * const zone = InferenceHostedZone.fromZoneId('Z0123456789ABCDEFGHIJ', 'inference.example.com');
 * const endpoint = InferenceEndpointRef.fromAttributes({
 *   region: 'eu-west-1',
 *   albDnsName: 'chat-0123456789.eu-west-1.elb.amazonaws.com',
 *   albZoneId: 'Z32O12XQLNTSW2',
 *   healthCheckPath: '/health',
 *   models: [{ name: 'llama-3-1-8b', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' }],
 * });
 * // One latency record of the service name, answered only while the region's health check passes.
 * new InferenceAliasRecord(stack, 'Latency-eu-west-1', {
 *   zone,
 *   name: 'inference.example.com',
 *   target: RecordTarget.loadBalancer(endpoint),
 *   policy: RoutingPolicy.latency('eu-west-1'),
 *   setIdentifier: 'eu-west-1',
 *   healthCheck: HealthCheckRef.fromHealthCheckId('abcdef01-2345-6789-abcd-ef0123456789'),
 * });
 * ```
 */
export class InferenceAliasRecord extends Construct {
  /** The A (or CNAME) record (escape hatch). */
  readonly resource: Route53Record;
  /** Every record created: one per record type (`A`, and `AAAA` when asked), the first being `resource`. */
  readonly records: readonly Route53Record[];

  constructor(scope: Construct, id: string, props: InferenceAliasRecordProps) {
    super(scope, id);
    const policy = validatedPolicy(this, props);
    const types = recordTypesOf(props);
    const records = types.map(
      (type) => new Route53Record(this, type === types[0] ? 'Resource' : type, recordConfig(props, policy, type)),
    );
    this.records = records;
    this.resource = records[0];
    protectLiterals(this);
  }
}

/** The record's routing policy (simple when none is given); throws one error listing every problem of the props. */
function validatedPolicy(scope: Construct, givenProps: InferenceAliasRecordProps): RoutingPolicy {
  const checker = new PropsChecker(`InferenceAliasRecord '${scope.node.path}'`);
  const props = propsObject(checker, givenProps);
  const policy = checkedPolicy(checker, props.policy, props.setIdentifier);
  checkSetIdentifierFormat(checker, props.setIdentifier);
  checkZoneAndName(checker, props.zone, props.name);
  checkTarget(checker, props.target, props.recordTypes);
  checkHealthCheck(checker, props.healthCheck);
  checker.literal(z.boolean().optional(), props.evaluateTargetHealth, 'evaluateTargetHealth');
  checker.literal(z.boolean().optional(), props.ignoreWeightChanges, 'ignoreWeightChanges');
  checkTtl(checker, props.ttlSeconds);
  checker.throwIfAny();
  return policy;
}

/** The given policy or a simple one; reports a foreign policy and a set identifier the policy needs or forbids. */
function checkedPolicy(
  checker: PropsChecker,
  givenPolicy: RoutingPolicy | undefined,
  setIdentifier: string | undefined,
): RoutingPolicy {
  if (givenPolicy !== undefined && !(givenPolicy instanceof RoutingPolicy)) {
    checker.add([
      {
        path: 'policy',
        message: 'must be a RoutingPolicy made by its factories (RoutingPolicy.latency(region), .weighted(n), ...)',
        input: givenPolicy,
      },
    ]);
    return RoutingPolicy.simple();
  }
  const policy = givenPolicy ?? RoutingPolicy.simple();
  if (policy.kind !== 'simple' && !setIdentifier)
    checker.add([
      {
        path: 'setIdentifier',
        message: `is required for a ${policy.kind} record (derive it from a stable key such as the region code)`,
      },
    ]);
  if (policy.kind === 'simple' && setIdentifier)
    checker.add([
      {
        path: 'setIdentifier',
        message: 'only applies to routed records; a simple record has none',
        input: setIdentifier,
      },
    ]);
  return policy;
}

/** Reports a literal set identifier Route53 would refuse. */
function checkSetIdentifierFormat(checker: PropsChecker, setIdentifier: string | undefined): void {
  if (
    setIdentifier !== undefined &&
    !isToken(setIdentifier) &&
    !(typeof setIdentifier === 'string' && /^[A-Za-z0-9_.*-]{1,128}$/.test(setIdentifier))
  ) {
    checker.add([
      {
        path: 'setIdentifier',
        message: "must be 1-128 characters of letters, digits, '-', '_', '.'",
        input: setIdentifier,
      },
    ]);
  }
}

/** Reports a malformed zone, and a record name that is not a DNS name in that zone. */
function checkZoneAndName(checker: PropsChecker, givenZone: IHostedZone, name: string): void {
  const zone = checkHostedZone(checker, givenZone, 'zone');
  checker.check(recordName, name, 'name');
  if (zone) checkInZone(checker, name, zone.zoneName, 'name');
}

/** Reports a target not made by the RecordTarget factories, its malformed names, and record types it cannot have. */
function checkTarget(
  checker: PropsChecker,
  givenTarget: RecordTarget,
  recordTypes: InferenceAliasRecordProps['recordTypes'],
): void {
  const target = objectProp(
    checker,
    givenTarget,
    'target',
    'a RecordTarget: RecordTarget.loadBalancer(endpoint), .record(name, zone) or .hostname(name)',
  );
  if (target && target.kind !== 'alias' && target.kind !== 'cname') {
    checker.add([
      {
        path: 'target',
        message:
          'must be a RecordTarget made by its factories: RecordTarget.loadBalancer(endpoint), .record(name, ' +
          'zone) or .hostname(name)',
        input: target,
      },
    ]);
  }
  if (target?.kind === 'alias') {
    checker.check(route53ZoneId, target.aliasZoneId, 'target.aliasZoneId');
    checker.check(targetName, target.aliasName, 'target.aliasName');
    checker.literal(aliasRecordTypes.optional(), recordTypes, 'recordTypes');
  } else if (target?.kind === 'cname') {
    checker.check(targetName, target.hostname, 'target.hostname');
    if (
      recordTypes !== undefined &&
      !(Array.isArray(recordTypes) && recordTypes.length === 1 && recordTypes[0] === 'A')
    ) {
      checker.add([
        {
          path: 'recordTypes',
          message: 'a CNAME target has one record type (CNAME); leave recordTypes out',
          input: recordTypes,
        },
      ]);
    }
  }
}

/** Reports a health check that is not an object with the id of a Route53 health check. */
function checkHealthCheck(checker: PropsChecker, healthCheck: IHealthCheck | undefined): void {
  if (
    healthCheck !== undefined &&
    objectProp(
      checker,
      healthCheck,
      'healthCheck',
      'a health check: a RegionHealthCheck or HealthCheckRef.fromHealthCheckId(id)',
    )
  ) {
    checker.check(
      z.string({ error: 'is required (text: the id of the Route53 health check)' }),
      healthCheck.healthCheckId,
      'healthCheck.healthCheckId',
    );
  }
}

/** Reports a literal TTL outside what Route53 accepts. */
function checkTtl(checker: PropsChecker, ttlSeconds: number | undefined): void {
  if (
    ttlSeconds !== undefined &&
    !isToken(ttlSeconds) &&
    !(typeof ttlSeconds === 'number' && Number.isInteger(ttlSeconds) && ttlSeconds >= 0 && ttlSeconds <= 2147483647)
  ) {
    checker.add([
      {
        path: 'ttlSeconds',
        message: 'must be a whole number of seconds from 0 to 2147483647 (Route53 limit)',
        input: ttlSeconds,
      },
    ]);
  }
}

/** The record types to create: CNAME for a hostname target, else each alias type given once (A by default). */
function recordTypesOf(props: InferenceAliasRecordProps): string[] {
  return props.target.kind === 'cname' ? ['CNAME'] : [...new Set(props.recordTypes ?? ['A'])];
}

/** The record of one type: its target, routing policy and health check. */
function recordConfig(props: InferenceAliasRecordProps, policy: RoutingPolicy, type: string): Route53RecordConfig {
  return {
    provider: props.provider,
    zoneId: props.zone.zoneId,
    name: props.name,
    type,
    setIdentifier: props.setIdentifier,
    healthCheckId: props.healthCheck?.healthCheckId,
    ...(props.target.kind === 'alias'
      ? {
          alias: {
            name: props.target.aliasName!,
            zoneId: props.target.aliasZoneId!,
            evaluateTargetHealth: props.evaluateTargetHealth ?? true,
          },
        }
      : { records: [props.target.hostname!], ttl: props.ttlSeconds ?? DEFAULT_RECORD_TTL_SECONDS }),
    ...policy.toRecordConfig(),
    lifecycle:
      props.ignoreWeightChanges && policy.kind === 'weighted'
        ? { ignoreChanges: ['weighted_routing_policy'] }
        : undefined,
  };
}
