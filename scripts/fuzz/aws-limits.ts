/**
 * An independent, deliberately simple model of limits AWS enforces at apply time, which `terraform validate` does
 * not check, applied to a synthesized AWS stack (Terraform JSON). The fuzzer counts a stack that breaks one as
 * accepted-invalid, like one terraform refuses. Written from the AWS documentation, not from the library's schema:
 * it must catch what the schema forgets.
 */
import { templateLiteral } from '../../lib/util/terraform-json';
import type { TerraformJson } from '../../lib/util/synth-output';

type Json = Record<string, unknown>;

const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const SG_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;
const LOG_RETENTION = new Set([
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

/** Every AWS apply-time limit the stack breaks, as `address: what` lines. */
export function awsLimitViolations(stack: TerraformJson): string[] {
  const out: string[] = [];
  const resources = (stack.resource ?? {}) as Record<string, Record<string, Json>>;
  const providers = ((stack.provider as Json | undefined)?.aws ?? []) as Json[];
  const regionOf = new Map<string, string>();
  let defaultTags: Record<string, string> = {};
  for (const p of providers) {
    regionOf.set(p.alias ? `aws.${String(p.alias)}` : 'aws', String(p.region));
    const tags = ((p.default_tags as Json[] | undefined)?.[0]?.tags ?? {}) as Record<string, string>;
    defaultTags = { ...defaultTags, ...tags };
  }
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? templateLiteral(v) : undefined);
  const checkTags = (address: string, tags: Record<string, unknown>, withDefaults: boolean) => {
    const all = { ...(withDefaults ? defaultTags : {}), ...tags };
    if (Object.keys(all).length > 50) out.push(`${address}: ${Object.keys(all).length} tags (AWS allows 50)`);
    // IAM compares tag keys case-insensitively: two keys that differ only in case are refused on a role.
    if (address.startsWith('aws_iam_role.')) {
      const lower = Object.keys(all).map((k) => k.toLowerCase());
      if (new Set(lower).size !== lower.length)
        out.push(`${address}: tag keys that differ only in case (IAM refuses them)`);
    }
    for (const [rawKey, rawValue] of Object.entries(all)) {
      const key = text(rawKey);
      const value = text(rawValue);
      if (key === undefined || value === undefined) continue;
      if (key.length < 1 || key.length > 128 || !TAG_CHARACTERS.test(key) || /^aws:/i.test(key))
        out.push(`${address}: tag key ${JSON.stringify(key)}`);
      if (value.length > 256 || !TAG_CHARACTERS.test(value)) out.push(`${address}: tag value ${JSON.stringify(value)}`);
    }
  };

  const sgRules = new Map<string, number>();
  const subnetPrefix = new Map<string, number>();
  for (const [name, r] of Object.entries(resources.aws_subnet ?? {})) {
    const cidr = text(r.cidr_block);
    if (cidr !== undefined && /\/\d+$/.test(cidr)) subnetPrefix.set(`aws_subnet.${name}`, Number(cidr.split('/')[1]));
  }
  const subnetsOf = (list: unknown): string[] =>
    (Array.isArray(list) ? list : [])
      .map((s) => /^\$\{(aws_subnet\.[^.}]+)\.id\}$/.exec(String(s))?.[1])
      .filter((s): s is string => s !== undefined);
  const instancesInSubnet = new Map<string, number>();
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, r] of Object.entries(byName)) {
      const address = `${type}.${name}`;
      const region = regionOf.get(String(r.provider ?? 'aws'));
      if (r.tags && typeof r.tags === 'object') checkTags(address, r.tags as Json, true);
      else if (type !== 'aws_autoscaling_group') checkTags(address, {}, true);
      switch (type) {
        case 'aws_launch_template': {
          for (const mapping of (r.block_device_mappings ?? []) as Json[]) {
            const ebs = ((mapping.ebs as Json[] | Json | undefined) ?? {}) as Json;
            const size = Number((Array.isArray(ebs) ? ebs[0] : ebs)?.volume_size);
            if (!(size >= 1 && size <= 16384)) out.push(`${address}: gp3 volume of ${size} GiB (1-16384)`);
          }
          const userData = text(r.user_data);
          if (userData !== undefined && Buffer.from(userData, 'base64').length > 16384)
            out.push(`${address}: user data of ${Buffer.from(userData, 'base64').length} bytes (16384)`);
          for (const spec of (r.tag_specifications ?? []) as Json[])
            checkTags(`${address} tag_specifications`, (spec.tags ?? {}) as Json, false);
          const instanceType = text(r.instance_type);
          if (instanceType !== undefined && !EC2_GPU_TYPES.has(instanceType))
            out.push(`${address}: instance type ${instanceType} is not in the EC2 catalogue`);
          break;
        }
        case 'aws_autoscaling_group': {
          const tags = Object.fromEntries(((r.tag ?? []) as Json[]).map((t) => [String(t.key), String(t.value)]));
          checkTags(address, tags, false);
          // Each instance takes an address of one of its subnets; any one subnet may get all of them.
          for (const subnet of subnetsOf(r.vpc_zone_identifier))
            instancesInSubnet.set(subnet, (instancesInSubnet.get(subnet) ?? 0) + Number(r.max_size ?? 0));
          break;
        }
        case 'aws_lb_listener': {
          const arn = text(r.certificate_arn);
          if (arn !== undefined && region && arn.split(':')[3] !== region)
            out.push(`${address}: certificate ${arn} is not in ${region}`);
          break;
        }
        case 'aws_lb': {
          const n = text(r.name);
          if (
            n !== undefined &&
            (n.length > 32 || !/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(n) || n.startsWith('internal-'))
          )
            out.push(`${address}: ALB name ${n}`);
          // ELB: each subnet of a load balancer needs at least a /27 (and 8 free addresses).
          for (const subnet of subnetsOf(r.subnets)) {
            const prefix = subnetPrefix.get(subnet);
            if (prefix !== undefined && prefix > 27)
              out.push(`${address}: subnet ${subnet} is a /${prefix} (ELB needs at least /27)`);
          }
          break;
        }
        case 'aws_cloudwatch_log_group':
          if (r.retention_in_days !== undefined && !LOG_RETENTION.has(Number(r.retention_in_days)))
            out.push(`${address}: retention ${String(r.retention_in_days)}`);
          break;
        case 'aws_acm_certificate': {
          const domain = text(r.domain_name);
          if (domain !== undefined && domain.length > 64)
            out.push(`${address}: certificate first name of ${domain.length} characters (64)`);
          break;
        }
        case 'aws_route53_record': {
          const n = text(r.name);
          if (n !== undefined && (n.replace(/\.$/, '').length > 253 || n.split('.').some((l) => l.length > 63)))
            out.push(`${address}: record name ${n}`);
          break;
        }
        case 'aws_vpc_security_group_ingress_rule':
        case 'aws_vpc_security_group_egress_rule': {
          const description = text(r.description);
          if (description !== undefined && (description.length > 255 || !SG_DESCRIPTION.test(description)))
            out.push(`${address}: rule description ${JSON.stringify(description)}`);
          if (type.endsWith('ingress_rule')) {
            const key = `${String(r.security_group_id)} ${r.cidr_ipv6 ? 'v6' : 'v4'}`;
            sgRules.set(key, (sgRules.get(key) ?? 0) + 1);
          }
          break;
        }
        case 'aws_route53_health_check': {
          const search = text(r.search_string);
          if (search !== undefined && search.length > 255)
            out.push(`${address}: search string of ${search.length} characters`);
          const path = text(r.resource_path);
          if (path !== undefined && path.length > 255)
            out.push(`${address}: resource path of ${path.length} characters`);
          const regions = r.regions as unknown[] | undefined;
          if (Array.isArray(regions) && new Set(regions).size < 3)
            out.push(`${address}: fewer than 3 distinct checker regions`);
          break;
        }
        case 'aws_cloudwatch_metric_alarm': {
          const dims = (r.dimensions ?? {}) as Json;
          if (Object.keys(dims).length > 30) out.push(`${address}: more than 30 dimensions`);
          for (const [k, v] of Object.entries(dims)) {
            const key = text(k);
            const value = text(v);
            if (key !== undefined && !/^[\x20-\x7e]{1,255}$/.test(key))
              out.push(`${address}: dimension name ${JSON.stringify(key)}`);
            if (value !== undefined && !/^[\x20-\x7e]{1,1024}$/.test(value))
              out.push(`${address}: dimension value ${JSON.stringify(value)}`);
          }
          const metric = text(r.metric_name);
          if (metric !== undefined && !/^[\x20-\x7e]{1,255}$/.test(metric))
            out.push(`${address}: metric name ${JSON.stringify(metric)}`);
          break;
        }
        case 'aws_subnet': {
          const zone = text(r.availability_zone_id);
          const vpcRegion = region;
          if (zone !== undefined && vpcRegion && !zoneBelongsTo(zone, vpcRegion))
            out.push(`${address}: zone ${zone} is not in ${vpcRegion}`);
          break;
        }
        case 'aws_iam_role_policy': {
          const policy = text(r.policy);
          if (policy === undefined) break;
          let statements: Json[] = [];
          try {
            statements = (JSON.parse(policy) as { Statement: Json[] }).Statement;
          } catch {
            break; // references inside: not known until apply
          }
          for (const statement of statements) {
            for (const resource of [statement.Resource].flat()) {
              // IAM reads `${...}` as a policy variable, and * or ? as wildcards: only a trailing * is the library's.
              if (
                typeof resource === 'string' &&
                (resource.includes('${') || /[*?]/.test(resource.replace(/\*$/, '').replace(/^\*$/, '')))
              )
                out.push(`${address}: policy resource IAM would interpret: ${resource}`);
            }
          }
          break;
        }
      }
    }
  }
  for (const [key, count] of sgRules) if (count > 60) out.push(`security group ${key}: ${count} inbound rules (60)`);
  for (const [subnet, count] of instancesInSubnet) {
    const prefix = subnetPrefix.get(subnet);
    if (prefix !== undefined && 2 ** (32 - prefix) - 5 < count)
      out.push(
        `${subnet}: a /${prefix} has ${2 ** (32 - prefix) - 5} usable addresses, its groups may launch ` +
          `${count} instances`,
      );
  }
  return out;
}

/**
 * NVIDIA GPU instance types in the EC2 catalogue (from the EC2 accelerated-computing pages, written here
 * independently of the library's list).
 */
const EC2_GPU_TYPES = new Set(
  [
    'g4dn: xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal',
    'g5: xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge',
    'g5g: xlarge 2xlarge 4xlarge 8xlarge 16xlarge metal',
    'g6: xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge',
    'g6e: xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge',
    'g6f: large xlarge 2xlarge 4xlarge',
    'gr6: 4xlarge 8xlarge',
    'gr6f: 4xlarge',
    'g7e: 2xlarge 4xlarge 8xlarge 12xlarge 24xlarge 48xlarge',
    'p4d: 24xlarge',
    'p4de: 24xlarge',
    'p5: 4xlarge 48xlarge',
    'p5e: 48xlarge',
    'p5en: 48xlarge',
    'p6-b200: 48xlarge',
    'p6-b300: 48xlarge',
  ].flatMap((line) => {
    const [family, sizes] = line.split(': ');
    return sizes.split(' ').map((size) => `${family}.${size}`);
  }),
);

/** Zone ids start with the region's short code: use1-az1 is in us-east-1 (us + e + 1). */
function zoneBelongsTo(zone: string, region: string): boolean {
  const [geo, direction, number] = [
    region.split('-')[0],
    region.split('-').slice(1, -1).join('-'),
    region.split('-').pop(),
  ];
  const short: Record<string, string> = {
    east: 'e',
    west: 'w',
    north: 'n',
    south: 's',
    central: 'c',
    northeast: 'ne',
    southeast: 'se',
    northwest: 'nw',
    southwest: 'sw',
  };
  return zone.startsWith(`${geo}${short[direction] ?? direction}${number}-`);
}
