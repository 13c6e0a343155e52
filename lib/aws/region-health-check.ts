import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { dnsName, slug } from '../spec/fields';
import { nearestRegions } from '../spec/regions';
import { awsRegion, HealthSchema, ROUTE53_CHECKER_REGIONS, type HealthSpec } from '../spec/schema';
import { PropsChecker } from '../util/validate';
import { objectProp, propsObject } from './prop-checks';
import type { HealthInput } from './gpu-fleet';
import type { IInferenceEndpoint } from './inference-endpoint-ref';
import { protectLiterals } from '../util/terraform-literals';

/** Alarm names are `<prefix>-<region>-<signal>` (CloudWatch allows 255). */
export const ALARM_NAME_PREFIX = slug('name prefix', 64);
/** The `namePrefix` of alarms and health checks when none is given. */
export const DEFAULT_ALARM_NAME_PREFIX = 'gi';

/** A Route53 health check that routing records can reference. */
export interface IHealthCheck {
  /** Route53 id of the health check, or a reference to it. */
  readonly healthCheckId: string;
}

/**
 * Route53 health checks the library did not create.
 *
 * @example
 * ```ts
 * import { HealthCheckRef } from 'cdktf-global-inference';
 *
 * // A health check managed elsewhere, for an InferenceAliasRecord's `healthCheck`.
 * const existing = HealthCheckRef.fromHealthCheckId('abcdef01-2345-6789-abcd-ef0123456789');
 * ```
 */
export class HealthCheckRef {
  /** An existing health check, by id. */
  static fromHealthCheckId(healthCheckId: string): IHealthCheck {
    return { healthCheckId };
  }

  private constructor() {}
}

/** Props of {@link RegionHealthCheck}: the endpoint to watch, the name its probe uses, and the probe settings. */
export interface RegionHealthCheckProps {
  /**
   * The endpoint to watch. Capacity signals need its ALB/target-group metrics (`albArnSuffix`, `targetGroupArnSuffix`).
   */
  readonly endpoint: IInferenceEndpoint;
  /**
   * Public DNS name that resolves to the endpoint (the probe's FQDN and SNI), e.g. `us-east-1.inference.example.com`.
   */
  readonly fqdn: string;
  /** Provider for Route53 (global; by convention us-east-1). @default - the stack's default AWS provider */
  readonly provider?: TerraformProvider;
  /** Provider of the endpoint's region, where its CloudWatch alarms live. @default - `provider` */
  readonly alarmProvider?: TerraformProvider;
  /**
   * Probe and capacity settings. @default - the spec defaults (GET /health every 10 s, 3 failures, healthy targets ≥
   * ASG minimum)
   */
  readonly health?: HealthInput;
  /** Prefix of alarm and health-check names (a slug of at most 64 characters). @default 'gi' */
  readonly namePrefix?: string;
}

/**
 * The health of one region as Route53 should see it: an HTTPS readiness probe (the model answers, from at least
 * three checker regions, with SNI and latency measurement) AND capacity signals (CloudWatch alarms: healthy
 * targets below the fleet minimum; optionally average response time or a queue-depth metric above a threshold),
 * combined in a CALCULATED health check that is healthy only when every part is. A region that is up but
 * saturated stops receiving new traffic.
 *
 * Route53 alarm health checks accept only standard statistics (no percentiles, no metric math), so response time
 * is judged on its Average.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
 * import { InferenceEndpointRef, RegionHealthCheck } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'health');
 * const route53 = new AwsProvider(stack, 'aws', { region: 'us-east-1' });
 * const usWest2 = new AwsProvider(stack, 'us-west-2', { region: 'us-west-2', alias: 'us-west-2' });
 * const endpoint = InferenceEndpointRef.fromAttributes({
 *   region: 'us-west-2',
 *   albDnsName: 'chat-0123456789.us-west-2.elb.amazonaws.com',
 *   albZoneId: 'Z1H1FL5HABSF5',
 *   healthCheckPath: '/health',
 *   models: [{ name: 'llama-3-1-8b', id: 'meta-llama/Llama-3.1-8B-Instruct', version: '2026-11-01' }],
 *   albArnSuffix: 'app/chat/0123456789abcdef',
 *   targetGroupArnSuffix: 'targetgroup/chat/0123456789abcdef',
 *   minCapacity: 2,
 * });
 * const health = new RegionHealthCheck(stack, 'Health', {
 *   endpoint,
 *   fqdn: 'us-west-2.inference.example.com',
 *   provider: route53,
 *   alarmProvider: usWest2, // the alarms live in the endpoint's region
 *   health: { path: '/health', intervalSeconds: 10, failureThreshold: 3 },
 * });
 * // health.healthCheckId goes into the region's routing records.
 * ```
 */
export class RegionHealthCheck extends Construct implements IHealthCheck {
  /** The CALCULATED health check records should reference (escape hatch). */
  readonly resource: Route53HealthCheck;
  /** Id of the CALCULATED health check: what the region's routing records reference. */
  readonly healthCheckId: string;
  /** The HTTPS readiness probe alone. */
  readonly readiness: Route53HealthCheck;
  /** The alarm-backed capacity checks, by signal. */
  readonly capacityChecks: Readonly<Record<string, Route53HealthCheck>>;
  /** The checker regions probing the endpoint. */
  readonly checkerRegions: readonly string[];
  /** The validated probe and capacity settings, defaults filled in. */
  readonly settings: HealthSpec;

  constructor(scope: Construct, id: string, props: RegionHealthCheckProps) {
    super(scope, id);
    const checker = new PropsChecker(`RegionHealthCheck '${this.node.path}'`);
    props = propsObject(checker, props);
    const parsedHealth = checker.literal(HealthSchema, props.health ?? {}, 'health');
    checker.check(dnsName, props.fqdn, 'fqdn');
    const endpointProp = objectProp(
      checker,
      props.endpoint,
      'endpoint',
      'the endpoint to watch: a GpuInferenceEndpoint or InferenceEndpointRef.fromAttributes(...)',
    );
    if (endpointProp) checker.literal(awsRegion, endpointProp.region, 'endpoint.region');
    checker.literal(ALARM_NAME_PREFIX.optional(), props.namePrefix, 'namePrefix');
    if (endpointProp && (!endpointProp.albArnSuffix || !endpointProp.targetGroupArnSuffix)) {
      checker.add([
        {
          path: 'endpoint',
          message:
            'needs albArnSuffix and targetGroupArnSuffix for the capacity alarms (an imported endpoint must ' +
            'provide them)',
        },
      ]);
    }
    checker.throwIfAny();
    this.settings = parsedHealth!;
    const endpoint = endpointProp!;

    const prefix = props.namePrefix ?? DEFAULT_ALARM_NAME_PREFIX;
    const region = endpoint.region;
    const health = this.settings;
    this.checkerRegions = health.checkerRegions ?? nearestRegions(region, ROUTE53_CHECKER_REGIONS, 3);

    this.readiness = new Route53HealthCheck(this, 'Readiness', {
      provider: props.provider,
      type: health.expectedBody ? 'HTTPS_STR_MATCH' : 'HTTPS',
      fqdn: props.fqdn,
      port: 443,
      resourcePath: health.path,
      searchString: health.expectedBody,
      enableSni: true,
      measureLatency: true,
      requestInterval: health.intervalSeconds,
      failureThreshold: health.failureThreshold,
      regions: [...this.checkerRegions],
      tags: { Name: `${prefix}-${region}-readiness` },
      lifecycle: { createBeforeDestroy: true },
    });

    const alarmProvider = props.alarmProvider ?? props.provider;
    const dimensions = { LoadBalancer: endpoint.albArnSuffix!, TargetGroup: endpoint.targetGroupArnSuffix! };
    const minutes = health.capacity.evaluationMinutes;
    const alarms: Record<string, CloudwatchMetricAlarm> = {};
    const minHealthy =
      health.capacity.minHealthyTargets === 'asg-min'
        ? Math.max(1, endpoint.minCapacity ?? 1)
        : health.capacity.minHealthyTargets;
    alarms.HealthyTargets = new CloudwatchMetricAlarm(this, 'HealthyTargetsAlarm', {
      provider: alarmProvider,
      alarmName: `${prefix}-${region}-healthy-targets`,
      alarmDescription:
        `Fewer than ${minHealthy} healthy inference targets in ` + `${region}: Route53 stops sending new traffic here`,
      namespace: 'AWS/ApplicationELB',
      metricName: 'HealthyHostCount',
      dimensions,
      statistic: 'Minimum',
      period: 60,
      evaluationPeriods: minutes,
      threshold: minHealthy,
      comparisonOperator: 'LessThanThreshold',
      // No data means no healthy target is reporting.
      treatMissingData: 'breaching',
    });
    if (health.capacity.maxAverageResponseSeconds !== undefined) {
      alarms.ResponseTime = new CloudwatchMetricAlarm(this, 'ResponseTimeAlarm', {
        provider: alarmProvider,
        alarmName: `${prefix}-${region}-response-time`,
        alarmDescription:
          `Average target response time in ${region} above ${health.capacity.maxAverageResponseSeconds}s: ` +
          'saturated',
        namespace: 'AWS/ApplicationELB',
        metricName: 'TargetResponseTime',
        dimensions,
        // Route53 rejects alarms on extended statistics (p90); Average is the closest supported signal.
        statistic: 'Average',
        period: 60,
        evaluationPeriods: minutes,
        threshold: health.capacity.maxAverageResponseSeconds,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      });
    }
    const queue = health.capacity.queueDepth;
    if (queue) {
      alarms.QueueDepth = new CloudwatchMetricAlarm(this, 'QueueDepthAlarm', {
        provider: alarmProvider,
        alarmName: `${prefix}-${region}-queue-depth`,
        alarmDescription: `${queue.metricName} in ${region} above ${queue.threshold}: saturated`,
        namespace: queue.namespace,
        metricName: queue.metricName,
        dimensions: queue.dimensions,
        statistic: 'Average',
        period: 60,
        evaluationPeriods: minutes,
        threshold: queue.threshold,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      });
    }

    const capacityChecks: Record<string, Route53HealthCheck> = {};
    for (const [signal, alarm] of Object.entries(alarms)) {
      capacityChecks[signal] = new Route53HealthCheck(this, `${signal}Check`, {
        provider: props.provider,
        type: 'CLOUDWATCH_METRIC',
        cloudwatchAlarmName: alarm.alarmName,
        cloudwatchAlarmRegion: region,
        insufficientDataHealthStatus: 'LastKnownStatus',
        tags: { Name: `${prefix}-${region}-${kebab(signal)}` },
        lifecycle: { createBeforeDestroy: true },
      });
    }
    this.capacityChecks = capacityChecks;

    const children = [this.readiness, ...Object.values(capacityChecks)];
    this.resource = new Route53HealthCheck(this, 'Resource', {
      provider: props.provider,
      type: 'CALCULATED',
      childHealthchecks: children.map((c) => c.id),
      // Healthy only when every child is: ready AND not saturated.
      childHealthThreshold: children.length,
      tags: { Name: `${prefix}-${region}` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.healthCheckId = this.resource.id;
    protectLiterals(this);
  }
}

function kebab(text: string): string {
  return text.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}
