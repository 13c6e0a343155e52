import { Construct } from 'constructs';
import type { TerraformProvider } from 'cdktf';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import type { SpecProblem } from '../spec/errors';
import { DEFAULT_RECORD_TTL_SECONDS } from '../spec/schema';
import { isToken, throwIfProblems } from '../util/validate';
import type { IHostedZone } from './inference-hosted-zone';
import type { IInferenceEndpoint } from './inference-endpoint-ref';
import type { IHealthCheck } from './region-health-check';
import { RoutingPolicy } from './routing-policy';
import { protectLiterals } from '../util/terraform-literals';

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

  abstract readonly kind: 'alias' | 'cname';
  readonly aliasName?: string;
  readonly aliasZoneId?: string;
  readonly hostname?: string;
}

export interface InferenceAliasRecordProps {
  /** Zone the record lives in. */
  readonly zone: IHostedZone;
  /** Fully qualified record name. */
  readonly name: string;
  readonly target: RecordTarget;
  /** @default RoutingPolicy.simple() */
  readonly policy?: RoutingPolicy;
  /** Distinguishes records of the same name; required for every policy but simple. Derive it from a stable key. */
  readonly setIdentifier?: string;
  /** Health check deciding whether Route53 may answer with this record. @default - none (alias records still follow the target's health when `evaluateTargetHealth`) */
  readonly healthCheck?: IHealthCheck;
  /** Let the alias target's health decide too. Residency records turn it off so they never fall through to another jurisdiction. @default true */
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

/** One routed answer for a name: an alias (or CNAME) record with exactly one routing policy. */
export class InferenceAliasRecord extends Construct {
  /** The A (or CNAME) record (escape hatch). */
  readonly resource: Route53Record;
  readonly records: readonly Route53Record[];

  constructor(scope: Construct, id: string, props: InferenceAliasRecordProps) {
    super(scope, id);
    const policy = props.policy ?? RoutingPolicy.simple();
    const problems: SpecProblem[] = [];
    if (policy.kind !== 'simple' && !props.setIdentifier) problems.push({ path: 'setIdentifier', message: `is required for a ${policy.kind} record (derive it from a stable key such as the region code)` });
    if (policy.kind === 'simple' && props.setIdentifier) problems.push({ path: 'setIdentifier', message: 'only applies to routed records; a simple record has none', received: JSON.stringify(props.setIdentifier) });
    if (props.setIdentifier && !/^[A-Za-z0-9_.*-]{1,128}$/.test(props.setIdentifier)) problems.push({ path: 'setIdentifier', message: "must be 1-128 characters of letters, digits, '-', '_', '.'", received: JSON.stringify(props.setIdentifier) });
    if (props.target.kind === 'cname' && (props.recordTypes ?? ['A']).length > 0 && props.recordTypes?.includes('AAAA')) problems.push({ path: 'recordTypes', message: 'a CNAME target has one record type; remove AAAA' });
    if (typeof props.name === 'string' && !isToken(props.name) && !/^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/.test(props.name)) {
      problems.push({ path: 'name', message: 'must be a lower-case DNS name (labels of at most 63 characters)', received: JSON.stringify(props.name) });
    } else if (typeof props.name === 'string' && props.name.replace(/\.$/, '').length > 253) {
      problems.push({ path: 'name', message: 'must be at most 253 characters (DNS limit)', received: JSON.stringify(props.name) });
    }
    const target = props.target;
    if (target.aliasZoneId !== undefined && !isToken(target.aliasZoneId) && !/^Z[A-Z0-9]{1,32}$/.test(target.aliasZoneId)) {
      problems.push({ path: 'target.aliasZoneId', message: 'must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ (or a reference)', received: JSON.stringify(target.aliasZoneId) });
    }
    for (const [key, value] of [['target.aliasName', target.aliasName], ['target.hostname', target.hostname]] as const) {
      if (value !== undefined && !isToken(value) && !/^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/.test(value)) {
        problems.push({ path: key, message: 'must be a DNS name (or a reference)', received: JSON.stringify(value) });
      }
    }
    if (props.ttlSeconds !== undefined && !isToken(props.ttlSeconds) && !(Number.isInteger(props.ttlSeconds) && props.ttlSeconds >= 0 && props.ttlSeconds <= 2147483647)) {
      problems.push({ path: 'ttlSeconds', message: 'must be a whole number of seconds from 0 to 2147483647 (Route53 limit)', received: String(props.ttlSeconds) });
    }
    throwIfProblems(problems, `InferenceAliasRecord '${this.node.path}'`);

    const types = props.target.kind === 'cname' ? ['CNAME'] : [...new Set(props.recordTypes ?? ['A'])];
    const records = types.map(
      (type) =>
        new Route53Record(this, type === types[0] ? 'Resource' : type, {
          provider: props.provider,
          zoneId: props.zone.zoneId,
          name: props.name,
          type,
          setIdentifier: props.setIdentifier,
          healthCheckId: props.healthCheck?.healthCheckId,
          ...(props.target.kind === 'alias'
            ? { alias: { name: props.target.aliasName!, zoneId: props.target.aliasZoneId!, evaluateTargetHealth: props.evaluateTargetHealth ?? true } }
            : { records: [props.target.hostname!], ttl: props.ttlSeconds ?? DEFAULT_RECORD_TTL_SECONDS }),
          ...policy.toRecordConfig(),
          lifecycle: props.ignoreWeightChanges && policy.kind === 'weighted' ? { ignoreChanges: ['weighted_routing_policy'] } : undefined,
        }),
    );
    this.records = records;
    this.resource = records[0];
    protectLiterals(this);
  }
}
