import type { PolicyRule, RuleViolation } from '../types';
import {
  block,
  blocks,
  bool,
  isExpression,
  num,
  referencedAddresses,
  str,
  literalStrings,
  type ResourceView,
  type StackView,
} from '../stack-view';

/** The resource types of an elastic load balancer (v2), under both names the provider accepts. */
export const LB_TYPES = ['aws_lb', 'aws_alb'];
const LISTENER_TYPES = ['aws_lb_listener', 'aws_alb_listener'];

/** GI-AWS-004: ALBs drop invalid header fields. */
export const ALB_DROPS_INVALID_HEADERS: PolicyRule = {
  id: 'GI-AWS-004',
  title: 'ALB drops invalid header fields',
  rationale: 'Forwarding malformed headers to the model server invites request smuggling and header injection.',
  severity: 'error',
  resourceTypes: LB_TYPES,
  checkov: ['CKV_AWS_131'],
  cdkNag: ['PCI.DSS.400-ALBHttpDropInvalidHeaderEnabled'],
  check(resource) {
    if (!isApplicationLb(resource)) return [];
    const value = resource.config.drop_invalid_header_fields;
    if (bool(value) === true || isExpression(value)) return [];
    return [
      {
        message:
          'drop_invalid_header_fields is ' +
          `${value === undefined || value === null ? 'unset (defaults to false)' : JSON.stringify(value)}`,
        fix: 'set drop_invalid_header_fields = true (GpuInferenceEndpoint does; check overrides)',
      },
    ];
  },
};

/**
 * The lowest TLS version (minor of 1.x) an ELB security policy accepts, from its name; undefined for names this
 * table does not know. Listeners without `ssl_policy` get ELBSecurityPolicy-2016-08 (TLS 1.0) from the API.
 */
export function elbPolicyMinimumTls(policy: string): number | undefined {
  const versioned = /^ELBSecurityPolicy-(?:TLS13|TLS|FS)-1-(\d)-/.exec(policy);
  if (versioned) return Number(versioned[1]);
  if (['ELBSecurityPolicy-2016-08', 'ELBSecurityPolicy-2015-05', 'ELBSecurityPolicy-FS-2018-06'].includes(policy))
    return 0;
  return undefined;
}

/** GI-AWS-005: TLS listeners accept TLS 1.2 or later only. */
export const TLS12_LISTENER_POLICY: PolicyRule = {
  id: 'GI-AWS-005',
  title: 'HTTPS listeners use a TLS 1.2+ policy',
  rationale:
    'TLS 1.0 and 1.1 are deprecated (RFC 8996); prompts and completions must not cross the internet under them.',
  severity: 'error',
  resourceTypes: LISTENER_TYPES,
  checkov: ['CKV_AWS_103'],
  note:
    'CKV_AWS_103 accepts only ELBSecurityPolicy-TLS-1-2*/FS-1-2* names, so it also flags the TLS 1.3 policies ' +
    '(such as the library default ELBSecurityPolicy-TLS13-1-2-2021-06) that this rule accepts.',
  check(resource) {
    const protocol = str(resource.config.protocol);
    if (protocol !== 'HTTPS' && protocol !== 'TLS') return [];
    const policy = resource.config.ssl_policy;
    if (isExpression(policy)) return [];
    const fix =
      'set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" (the GpuInferenceEndpoint default) or another ' +
      'ELBSecurityPolicy-TLS13-1-2-* policy';
    if (typeof policy !== 'string' || policy === '') {
      return [{ message: 'has no ssl_policy, so AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0', fix }];
    }
    const minimum = elbPolicyMinimumTls(policy);
    if (minimum === undefined)
      return [{ message: `ssl_policy ${policy} is not a policy this rule knows to require TLS 1.2 or later`, fix }];
    return minimum >= 2 ? [] : [{ message: `ssl_policy ${policy} accepts TLS 1.${minimum}`, fix }];
  },
};

/** GI-AWS-006: HTTP listeners only redirect to HTTPS. */
export const HTTP_REDIRECTS_TO_HTTPS: PolicyRule = {
  id: 'GI-AWS-006',
  title: 'HTTP listeners only redirect to HTTPS',
  rationale: 'A plain-HTTP listener that forwards serves prompts, completions and API keys in clear text.',
  severity: 'error',
  resourceTypes: [...LISTENER_TYPES, 'aws_lb_listener_rule', 'aws_alb_listener_rule'],
  checkov: ['CKV_AWS_2', 'CKV2_AWS_20'],
  cdkNag: ['PCI.DSS.400-ALBHttpToHttpsRedirection'],
  note: 'Also checks listener rules attached to a plain-HTTP listener (they must not forward either).',
  check(resource, stack) {
    if (LISTENER_TYPES.includes(resource.type)) {
      if (listenerProtocol(resource, stack) !== 'HTTP') return [];
      const actions = blocks(resource.config.default_action);
      const bad = actions.filter((a) => !redirectsToHttps(a));
      if (actions.length > 0 && bad.length === 0) return [];
      return [
        {
          message:
            `is a plain-HTTP listener on port ${show(resource.config.port)} whose default action ` +
            `${actions.length === 0 ? 'is missing' : `is ${bad.map(describeAction).join(', ')}`}`,
          fix:
            'make the default action redirect { protocol = "HTTPS", port = "443", status_code = "HTTP_301" }, ' +
            'and serve traffic from the HTTPS listener',
        },
      ];
    }
    // A listener rule on an HTTP listener must not forward either.
    const listener = stack.referencedBy(resource.config.listener_arn).find((r) => LISTENER_TYPES.includes(r.type));
    if (!listener || listenerProtocol(listener, stack) !== 'HTTP') return [];
    const bad = blocks(resource.config.action).filter((a) => !redirectsToHttps(a) && str(a.type) !== 'fixed-response');
    if (bad.length === 0) return [];
    return [
      {
        message: `is a rule of the plain-HTTP listener ${listener.address} with ${bad.map(describeAction).join(', ')}`,
        fix: 'attach the rule to the HTTPS listener instead; on the HTTP listener only redirect to HTTPS',
      },
    ];
  },
};

function listenerProtocol(listener: ResourceView, stack: StackView): string | undefined {
  const protocol = str(listener.config.protocol);
  if (protocol !== undefined) return isExpression(protocol) ? undefined : protocol;
  // Unset means HTTP on an ALB (and is required on an NLB).
  const lb = stack.referencedBy(listener.config.load_balancer_arn).find((r) => LB_TYPES.includes(r.type));
  return lb && !isApplicationLb(lb) ? undefined : 'HTTP';
}

function redirectsToHttps(action: Record<string, unknown>): boolean {
  return str(action.type) === 'redirect' && str(block(action.redirect)?.protocol) === 'HTTPS';
}

function describeAction(action: Record<string, unknown>): string {
  const type = str(action.type) ?? 'unset';
  if (type === 'redirect') return `a redirect to ${str(block(action.redirect)?.protocol) ?? 'the same protocol'}`;
  return `a ${type} action`;
}

/** GI-AWS-007: nothing but an internet-facing ALB's 80/443 is open to the world. */
export const NO_WORLD_OPEN_PORTS: PolicyRule = {
  id: 'GI-AWS-007',
  title: 'No world-open ports except an internet-facing ALB on 80/443',
  rationale:
    'GPU instances must be reachable only through the ALB; an open model-server, SSH or metrics port is an ' +
    'unauthenticated way in.',
  severity: 'error',
  resourceTypes: [
    'aws_vpc_security_group_ingress_rule',
    'aws_security_group_rule',
    'aws_security_group',
    'aws_default_security_group',
  ],
  checkov: ['CKV_AWS_24', 'CKV_AWS_260', 'CKV_AWS_277'],
  cdkNag: ['AwsSolutions-EC23'],
  note:
    'checkov checks inline aws_security_group ingress per port (22, 80, all ports); cdk-nag EC23 flags any ' +
    '0.0.0.0/0 or ::/0 ingress. This rule covers inline, aws_security_group_rule and ' +
    'aws_vpc_security_group_ingress_rule forms, and allows only tcp 80/443 on a group attached solely to ' +
    'internet-facing ALBs.',
  check(resource, stack) {
    const c = resource.config;
    const out: RuleViolation[] = [];
    if (resource.type === 'aws_vpc_security_group_ingress_rule') {
      const open = [str(c.cidr_ipv4), str(c.cidr_ipv6)].filter(
        (cidr): cidr is string => cidr !== undefined && isWorldCidr(cidr),
      );
      if (open.length > 0) {
        const group = stack.referencedBy(c.security_group_id).find((r) => r.type === 'aws_security_group');
        out.push(
          ...judge(
            open,
            ingressPorts(c.ip_protocol, c.from_port, c.to_port),
            group,
            groupLabel(group, c.security_group_id),
            stack,
          ),
        );
      }
    } else if (resource.type === 'aws_security_group_rule') {
      if (str(c.type) !== 'ingress') return [];
      const open = [...(literalStrings(c.cidr_blocks) ?? []), ...(literalStrings(c.ipv6_cidr_blocks) ?? [])].filter(
        isWorldCidr,
      );
      if (open.length > 0) {
        const group = stack.referencedBy(c.security_group_id).find((r) => r.type === 'aws_security_group');
        out.push(
          ...judge(
            open,
            ingressPorts(c.protocol, c.from_port, c.to_port),
            group,
            groupLabel(group, c.security_group_id),
            stack,
          ),
        );
      }
    } else {
      for (const rule of blocks(c.ingress)) {
        const open = [
          ...(literalStrings(rule.cidr_blocks) ?? []),
          ...(literalStrings(rule.ipv6_cidr_blocks) ?? []),
        ].filter(isWorldCidr);
        if (open.length > 0)
          out.push(
            ...judge(
              open,
              ingressPorts(rule.protocol, rule.from_port, rule.to_port),
              resource,
              'its inline ingress',
              stack,
            ),
          );
      }
    }
    return out;
  },
};

interface PortRange {
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
}

function ingressPorts(protocol: unknown, from: unknown, to: unknown): PortRange {
  const p = String(protocol ?? 'tcp').toLowerCase();
  const normalized = p === '-1' || p === 'all' ? 'all' : p === '6' ? 'tcp' : p === '17' ? 'udp' : p;
  return { protocol: normalized, from: num(from), to: num(to) };
}

function describePorts(ports: PortRange): string {
  if (ports.protocol === 'all') return 'all traffic';
  if (ports.from === undefined || ports.to === undefined) return `${ports.protocol} (ports unknown)`;
  if (ports.from === ports.to) return `${ports.protocol} ${ports.from}`;
  return ports.from === 0 && ports.to === 65535
    ? `all ${ports.protocol} ports`
    : `${ports.protocol} ${ports.from}-${ports.to}`;
}

function judge(
  open: string[],
  ports: PortRange,
  group: ResourceView | undefined,
  where: string,
  stack: StackView,
): RuleViolation[] {
  const webPort =
    ports.protocol === 'tcp' &&
    ports.from !== undefined &&
    ports.from === ports.to &&
    (ports.from === 80 || ports.from === 443);
  const albs = group ? internetFacingAlbsOnly(group, stack) : undefined;
  if (webPort && albs) return [];
  let why: string;
  if (!webPort) why = 'only 80 and 443 of an internet-facing ALB may be open to the world';
  else if (!group)
    why = 'the security group is not in this stack, so it cannot be shown to belong only to an internet-facing ALB';
  else why = 'the security group is not attached only to internet-facing application load balancers';
  return [
    {
      message: `${where} allows ${describePorts(ports)} from ${open.join(', ')}: ${why}`,
      fix:
        'allow the source that needs it (a security group, or the CIDRs in albIngressCidrs) instead of the whole ' +
        'internet; instances take traffic from the ALB security group only',
    },
  ];
}

function groupLabel(group: ResourceView | undefined, id: unknown): string {
  return group
    ? `ingress rule of ${group.address}`
    : `ingress rule of security group ${typeof id === 'string' ? id : '(unknown)'}`;
}

/** The ALBs using this group when every user of the group is an internet-facing ALB; otherwise undefined. */
function internetFacingAlbsOnly(group: ResourceView, stack: StackView): ResourceView[] | undefined {
  const notAttachments = new Set([
    'aws_vpc_security_group_ingress_rule',
    'aws_vpc_security_group_egress_rule',
    'aws_security_group_rule',
    'aws_security_group',
  ]);
  const albs: ResourceView[] = [];
  for (const r of stack.referrers(group)) {
    if (r === group || notAttachments.has(r.type)) continue;
    if (LB_TYPES.includes(r.type) && referencedAddresses(r.config.security_groups).includes(group.address)) {
      if (!isApplicationLb(r) || bool(r.config.internal) === true || isExpression(r.config.internal)) return undefined;
      albs.push(r);
    } else {
      return undefined;
    }
  }
  return albs.length > 0 ? albs : undefined;
}

function isWorldCidr(cidr: string): boolean {
  return /\/0$/.test(cidr.trim());
}

/** Whether a load balancer is an application load balancer (the type AWS defaults to). */
export function isApplicationLb(lb: ResourceView): boolean {
  const type = lb.config.load_balancer_type;
  return type === undefined || type === null || type === 'application';
}

/** GI-AWS-008: target groups probe a health check. */
export const TARGET_GROUP_HEALTH_CHECK: PolicyRule = {
  id: 'GI-AWS-008',
  title: 'Target groups have a health check',
  rationale:
    'Without an explicit readiness probe the ALB sends requests to instances whose model is still loading, or ' +
    'has crashed.',
  severity: 'error',
  resourceTypes: ['aws_lb_target_group', 'aws_alb_target_group'],
  checkov: ['CKV_AWS_261'],
  note:
    'CKV_AWS_261 requires a health_check path on HTTP/HTTPS target groups; this rule also fails a disabled ' +
    'health check and requires a block on TCP/TLS groups.',
  check(resource) {
    const c = resource.config;
    if (str(c.target_type) === 'lambda') return [];
    const protocol = str(c.protocol);
    const http = protocol === undefined || protocol === 'HTTP' || protocol === 'HTTPS';
    const check = block(c.health_check);
    const fix = http
      ? 'add health_check { enabled = true, path = "<readiness path, e.g. /health>", matcher = "200" } (GpuFleet ' +
        'uses the spec health.path)'
      : 'add health_check { enabled = true } with the protocol and port the server answers on';
    if (!check)
      return [
        {
          message:
            'has no health_check block, so the ALB probes its defaults (GET / on HTTP) instead of model readiness',
          fix,
        },
      ];
    if (bool(check.enabled) === false) return [{ message: 'has health_check.enabled = false', fix }];
    if (http && (str(check.path) === undefined || str(check.path) === '')) {
      return [{ message: 'health_check has no path, so the probe hits / instead of the readiness endpoint', fix }];
    }
    return [];
  },
};

function show(value: unknown): string {
  return value === undefined || value === null ? '(unset)' : String(value);
}
