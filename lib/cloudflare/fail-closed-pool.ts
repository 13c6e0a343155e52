import { Construct } from 'constructs';
import type { TerraformProvider } from '../util/cdktf';
import { LoadBalancerPool } from '@cdktf/provider-cloudflare/lib/load-balancer-pool';
import { CLOUDFLARE_REGION_CODES } from '../spec/cloudflare-schema';
import type { SpecProblem } from '../spec/errors';
import type { CloudflareRegionCode } from '../spec/regions';
import { isToken, throwIfProblems } from '../util/validate';
import { protectLiterals } from '../util/terraform-literals';
import { idProblems } from './prop-checks';

/**
 * Origin of the fail-closed pool. `.invalid` is reserved (RFC 6761) and never resolves, so Cloudflare cannot
 * connect and the client gets an error (530) instead of being served by another jurisdiction.
 */
export const FAIL_CLOSED_ORIGIN = 'fail-closed.invalid';

/** Props of {@link FailClosedPool}: the account, a name prefix, and where failed requests go. */
export interface FailClosedPoolProps {
  /** Cloudflare account holding the pool (may be a reference). */
  readonly accountId: string;
  /** Prefix of the pool name (the service name). The pool is named `<prefix>-fail-closed`. */
  readonly namePrefix: string;
  /**
   * Where requests go: a name that never answers (error 530), or a page of your own in every residency
   * jurisdiction that explains the outage (it must answer from each jurisdiction it can serve).
   * @default 'fail-closed.invalid' (never resolves)
   */
  readonly originAddress?: string;
  /**
   * Cloudflare regions listed on the pool. The pool has no monitor, so nothing probes from them; a list is set
   * because below Enterprise the API refuses "every data center". @default ['ENAM']
   */
  readonly checkRegions?: readonly CloudflareRegionCode[];
  /** Cloudflare provider to use. @default - the stack's default Cloudflare provider */
  readonly provider?: TerraformProvider;
}

/**
 * The fallback pool of a load balancer whose residency jurisdictions no single region can serve: Cloudflare keeps one
 * fallback pool per load balancer and sends a client there when every pool of its list is unhealthy, so with two
 * residency jurisdictions any real region would move one jurisdiction's clients out of it. This pool fails the
 * request instead. It has no monitor (the fallback pool's health is not consulted) and is never in a steering list.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
 * import { FailClosedPool } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'chat-cloudflare');
 * new CloudflareProvider(stack, 'cloudflare', {});
 * const failClosed = new FailClosedPool(stack, 'FailClosed', {
 *   accountId: '0123456789abcdef0123456789abcdef',
 *   namePrefix: 'chat',
 * });
 * // Give it to a CloudflareInferenceLoadBalancer as `failClosedPool`, with `fallback: 'fail-closed'`.
 * ```
 */
export class FailClosedPool extends Construct {
  /** The pool (escape hatch). */
  readonly resource: LoadBalancerPool;
  /** Id of the pool, for the load balancer's `fallback_pool`. */
  readonly poolId: string;

  constructor(scope: Construct, id: string, props: FailClosedPoolProps) {
    super(scope, id);
    const problems: SpecProblem[] = [];
    const address = props.originAddress ?? FAIL_CLOSED_ORIGIN;
    if (
      !isToken(address) &&
      !/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(address)
    ) {
      problems.push({
        path: 'originAddress',
        message: 'must be a lower-case hostname',
        received: JSON.stringify(address),
      });
    }
    problems.push(...idProblems(props.accountId, 'account', 'accountId'));
    if (!isToken(props.namePrefix) && !/^[A-Za-z0-9_-]{1,40}$/.test(props.namePrefix)) {
      problems.push({
        path: 'namePrefix',
        message: "must be letters, digits, '-' or '_' (Cloudflare pool names), at most 40 characters",
        received: JSON.stringify(props.namePrefix),
      });
    }
    if (props.checkRegions !== undefined && props.checkRegions.length === 0) {
      problems.push({
        path: 'checkRegions',
        message: 'must list at least one region (an empty list means every data center, which is Enterprise only)',
        received: '[] (an empty list)',
      });
    }
    props.checkRegions?.forEach((r, i) => {
      if (!(CLOUDFLARE_REGION_CODES as readonly string[]).includes(r))
        problems.push({
          path: `checkRegions[${i}]`,
          message: `must be a Cloudflare region (${CLOUDFLARE_REGION_CODES.join(', ')})`,
          received: JSON.stringify(r),
        });
    });
    throwIfProblems(problems, `FailClosedPool '${this.node.path}'`);

    this.resource = new LoadBalancerPool(this, 'Resource', {
      provider: props.provider,
      accountId: props.accountId,
      name: `${props.namePrefix}-fail-closed`,
      description: 'Fallback of last resort: fails requests rather than serving clients outside their jurisdiction',
      enabled: true,
      minimumOrigins: 1,
      checkRegions: [...(props.checkRegions ?? ['ENAM'])],
      origins: [{ name: 'fail-closed', address, enabled: true, weight: 1, port: 0, header: { host: [address] } }],
      originSteering: { policy: 'random' },
      loadShedding: { defaultPercent: 0, defaultPolicy: 'random', sessionPercent: 0, sessionPolicy: 'hash' },
      notificationFilter: { origin: { disable: false }, pool: { disable: false } },
    });
    this.poolId = this.resource.id;
    protectLiterals(this);
  }
}
