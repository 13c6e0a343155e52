/*
 * Hand-written Terraform JSON for the analysis tests: a public zone, one ALB per region (with its aliased provider),
 * regional names, HTTPS health checks, and records/pools added by each test.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../lib/util/cdktf';
import type { StackInput } from '../../lib/analysis/model';
import type { BackendTable } from '../../lib/analysis/table-front-door';
import { readSynthOutput, type TerraformJson } from '../../lib/util/synth-output';

export const DOMAIN = 'inference.example.com';
export const ZONE = '${aws_route53_zone.Zone.zone_id}';

type Body = Record<string, unknown>;

/** A mutable Terraform JSON document with helpers to add routing resources. */
export class StackBuilder {
  readonly resource: Record<string, Record<string, Body>> = {};
  readonly provider: { aws: Body[] } = { aws: [{ region: 'us-east-1' }] };
  intent: Record<string, unknown> | undefined;

  constructor(readonly name = 'test-aws') {
    this.add('aws_route53_zone', 'Zone', { name: DOMAIN });
  }

  add(type: string, name: string, body: Body): this {
    (this.resource[type] ??= {})[name] = body;
    return this;
  }

  /** A region: provider alias, ALB, regional name `<region>.<domain>`, HTTPS readiness check `Hc_<region>`. */
  region(region: string, health: { interval?: number; threshold?: number } = {}): this {
    if (!this.provider.aws.some((p) => p.alias === region)) this.provider.aws.push({ region, alias: region });
    this.add('aws_lb', `Lb_${key(region)}`, { name: 'chat', provider: `aws.${region}` });
    this.add('aws_route53_record', `Regional_${key(region)}`, {
      zone_id: ZONE,
      name: `${region}.${DOMAIN}`,
      type: 'A',
      alias: { name: albDns(region), zone_id: `\${aws_lb.Lb_${key(region)}.zone_id}`, evaluate_target_health: true },
    });
    this.add('aws_route53_health_check', `Hc_${key(region)}`, {
      type: 'HTTPS',
      fqdn: `${region}.${DOMAIN}`,
      port: 443,
      resource_path: '/health',
      request_interval: health.interval ?? 10,
      failure_threshold: health.threshold ?? 3,
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
    });
    return this;
  }

  /** A routed record: `policy` is the Terraform policy block(s), `target` an ALB region or `name:<fqdn>`. */
  record(
    name: string,
    recordName: string,
    target: string,
    policy: Body,
    options: { healthCheck?: string | false; evaluateTargetHealth?: boolean; setIdentifier?: string } = {},
  ): this {
    const toAlb = !target.startsWith('name:');
    const hc =
      options.healthCheck === false ? undefined : (options.healthCheck ?? (toAlb ? `Hc_${key(target)}` : undefined));
    return this.add('aws_route53_record', name, {
      zone_id: ZONE,
      name: recordName,
      type: 'A',
      set_identifier: options.setIdentifier ?? name,
      ...(hc ? { health_check_id: `\${aws_route53_health_check.${hc}.id}` } : {}),
      alias: {
        name: toAlb ? albDns(target) : target.slice(5),
        zone_id: toAlb ? `\${aws_lb.Lb_${key(target)}.zone_id}` : ZONE,
        evaluate_target_health: options.evaluateTargetHealth ?? true,
      },
      ...policy,
    });
  }

  withIntent(intent: Record<string, unknown>): this {
    this.intent = intent;
    return this;
  }

  build(): StackInput {
    const json: Record<string, unknown> = { provider: this.provider, resource: this.resource };
    if (this.intent) json['//'] = { global_inference: this.intent };
    return { name: this.name, json: json as TerraformJson };
  }
}

export function albDns(region: string): string {
  return `\${aws_lb.Lb_${key(region)}.dns_name}`;
}

export function key(region: string): string {
  return region.replace(/-/g, '_');
}

/** Service intent with the given regions (jurisdiction per region) and residency groups. */
export function intent(
  regions: Record<string, string | null>,
  residency: Record<string, { countries?: string[]; continents?: string[] }> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    service: 'chat',
    domain: DOMAIN,
    routingDomain: DOMAIN,
    frontDoor: 'route53',
    regions: Object.fromEntries(
      Object.entries(regions).map(([r, j]) => [r, { jurisdiction: j, hostname: `${r}.${DOMAIN}` }]),
    ),
    residency: Object.fromEntries(
      Object.entries(residency).map(([k, g]) => [k, { countries: g.countries ?? [], continents: g.continents ?? [] }]),
    ),
    sloFailoverSeconds: 180,
    ...extra,
  };
}

/** Synthesizes an app into a fresh temp dir and returns the outdir. */
export function synthToTemp(build: (outdir: string) => App): string {
  const outdir = mkdtempSync(join(tmpdir(), 'gi-analysis-'));
  build(outdir).synth();
  return outdir;
}

/** The stacks of a synthesized directory as deep copies, ready to be hand-edited. */
export function editableStacks(outdir: string): StackInput[] {
  return readSynthOutput(outdir).map((s) => ({
    name: s.name,
    json: JSON.parse(JSON.stringify(s.json)) as TerraformJson,
  }));
}

/** The resources of a type in a stack whose logical name contains `fragment`. */
export function resourcesLike(stack: StackInput, type: string, fragment: string): [string, Body][] {
  return Object.entries((stack.json.resource?.[type] ?? {}) as Record<string, Body>).filter(([n]) =>
    n.includes(fragment),
  );
}

/** An edge-router table over three regional names (eu-west-1 and eu-central-1 in the EU), for table front doors. */
export function backendTable(overrides: Partial<BackendTable> = {}): BackendTable {
  return {
    id: 'edge-router:test',
    label: 'Edge router chat-router',
    resources: ['cloudflare_workers_kv.Router_TableCurrent'],
    backends: ['us-east-1', 'eu-west-1', 'eu-central-1'].map((r) => ({
      key: r,
      host: `${r}.${DOMAIN}`,
      jurisdiction: r.startsWith('eu') ? 'eu' : 'us',
      weight: 100,
      enabled: true,
    })),
    residency: { eu: { countries: ['DE'], continents: [] } },
    strategy: 'latency',
    attemptTimeoutMs: 10_000,
    maxAttempts: 3,
    probeIntervalSeconds: 60,
    probesPerRun: 1,
    ...overrides,
  };
}
