import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { Ruleset } from '@cdktf/provider-cloudflare/lib/ruleset';
import { RATE_LIMIT_CHARACTERISTICS } from '../facts/provider-facts';
import {
  EdgeRateLimitSchema,
  rateLimitProblems,
  type CloudflarePlan,
  type EdgeRateLimitSpec,
} from '../spec/cloudflare-schema';
import { describeValue } from '../spec/errors';
import { isToken, PropsChecker, propsObject } from '../util/validate';
import { protectLiterals } from '../util/terraform-literals';
import { hostnameProblems, idProblems, isPlan, planProblems } from './prop-checks';

/** Props of {@link EdgeRateLimit}: the zone and its plan, the hostnames to protect, the limit. */
export interface EdgeRateLimitProps {
  /** Cloudflare zone of the hostnames (may be a reference). */
  readonly zoneId: string;
  /** The zone's plan: it decides which periods and mitigation timeouts Cloudflare accepts. */
  readonly plan: CloudflarePlan;
  /**
   * Hostnames whose requests are counted (the load balancer's): lower-case DNS names known at synth time, since they
   * are written into the rule's expression.
   */
  readonly hostnames: readonly string[];
  /** Requests one client IP may send per period, counted per Cloudflare data center. @default 200 */
  readonly requestsPerPeriod?: number;
  /**
   * Counting period in seconds: 10, 60, 600 or 3600 as far as the plan offers (Pro up to 60, Business up to 600,
   * Enterprise up to 3600; the values every provider version accepts). @default 60
   */
  readonly periodSeconds?: number;
  /**
   * Seconds a client over the limit stays blocked: a value the plan offers (Pro up to 3600, Business and Enterprise
   * up to 86400). @default 300
   */
  readonly mitigationTimeoutSeconds?: number;
  /** Cloudflare provider to use. @default - the stack's default Cloudflare provider */
  readonly provider?: TerraformProvider;
}

/**
 * The edge equivalent of the ALB web ACL's per-IP rate limit: the zone's `http_ratelimit` entry-point ruleset with
 * one Cloudflare rate limiting rule that counts the requests to the hostnames per client IP (and per data center,
 * which Cloudflare always does: `cf.colo.id` is a mandatory characteristic) and blocks a client over the limit for the
 * mitigation timeout. Cloudflare allows one entry-point ruleset per phase and zone: this construct owns the zone's
 * `http_ratelimit` phase; if another stack manages it, add the rule there instead.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
 * import { EdgeRateLimit } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'chat-cloudflare');
 * new CloudflareProvider(stack, 'cloudflare', {});
 * // 600 requests a minute per client IP, then blocked for 10 minutes (Business zone).
 * new EdgeRateLimit(stack, 'RateLimit', {
 *   zoneId: 'fedcba9876543210fedcba9876543210',
 *   plan: 'business',
 *   hostnames: ['inference.example.com'],
 *   requestsPerPeriod: 600,
 *   periodSeconds: 60,
 *   mitigationTimeoutSeconds: 600,
 * });
 * ```
 */
export class EdgeRateLimit extends Construct {
  /** The `http_ratelimit` ruleset (escape hatch). */
  readonly resource: Ruleset;
  /** The rule's expression: the hostnames, each a quoted string of the Rules language. */
  readonly expression: string;
  /** The validated limit, defaults filled in. */
  readonly settings: EdgeRateLimitSpec;

  constructor(scope: Construct, id: string, props: EdgeRateLimitProps) {
    super(scope, id);
    const checker = new PropsChecker(`EdgeRateLimit '${this.node.path}'`);
    props = propsObject(checker, props);
    checker.add(idProblems(props.zoneId, 'zone', 'zoneId'));
    checker.add(planProblems(props.plan));
    if (!Array.isArray(props.hostnames) || props.hostnames.length === 0) {
      checker.add([
        {
          path: 'hostnames',
          message: "must list at least one hostname (the load balancer's)",
          received: props.hostnames === undefined ? undefined : describeValue(props.hostnames),
        },
      ]);
    } else {
      props.hostnames.forEach((name, i) => {
        if (isToken(name))
          checker.add([
            {
              path: `hostnames[${i}]`,
              message: 'must be a literal hostname known at synth time (it is written into the rule expression)',
            },
          ]);
        else checker.add(hostnameProblems(name, 'hostnames', i));
      });
    }
    const settings = checker.literal(
      EdgeRateLimitSchema,
      {
        requestsPerPeriod: props.requestsPerPeriod,
        periodSeconds: props.periodSeconds,
        mitigationTimeoutSeconds: props.mitigationTimeoutSeconds,
      },
      '',
    );
    if (settings && isPlan(props.plan)) checker.add(rateLimitProblems(props.plan, settings));
    checker.throwIfAny();

    this.settings = settings as EdgeRateLimitSpec;
    this.expression = hostsExpression(props.hostnames);
    const { requestsPerPeriod, periodSeconds, mitigationTimeoutSeconds } = this.settings;
    this.resource = new Ruleset(this, 'Resource', {
      provider: props.provider,
      zoneId: props.zoneId,
      kind: 'zone',
      phase: 'http_ratelimit',
      name: 'inference rate limit',
      description:
        `Blocks a client IP sending more than ${requestsPerPeriod} requests in ${periodSeconds} s to ` +
        `${props.hostnames.join(', ')} for ${mitigationTimeoutSeconds} s`,
      rules: [
        {
          // A fixed ref keeps the rule's identity across updates (the API otherwise assigns a new id).
          ref: 'inference_rate_limit',
          description: `At most ${requestsPerPeriod} requests per ${periodSeconds} s per client IP`,
          expression: this.expression,
          action: 'block',
          ratelimit: {
            characteristics: [...RATE_LIMIT_CHARACTERISTICS],
            period: periodSeconds,
            requestsPerPeriod,
            mitigationTimeout: mitigationTimeoutSeconds,
          },
          enabled: true,
        },
      ],
    });
    protectLiterals(this);
  }
}

/**
 * A text as a quoted string of Cloudflare's Rules language: in double quotes, with `\` and `"` escaped by a
 * backslash, so a value is always data and never ends the string.
 */
export function rulesLanguageString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `(http.host eq "a")`, or `(http.host eq "a" or http.host eq "b")` for several hostnames. */
function hostsExpression(hostnames: readonly string[]): string {
  return `(${hostnames.map((h) => `http.host eq ${rulesLanguageString(h)}`).join(' or ')})`;
}
