/*
 * Per-isolate view of backend health and the choice of a backend.
 *
 * Health is tracked per target = backend × model, because one ALB fronts one fleet per model and a fleet can fail
 * alone. A target is in one of these states (`stateOf`):
 *
 * - healthy: takes first attempts, ranked by latency (EWMA of the time to response headers, with a stall rule) and
 *   an error penalty, or by weight alone (weighted strategy);
 * - saturated: it answered 429, or 503 with Retry-After. No first attempts until its Retry-After (capped) or the
 *   default back-off has passed; not an error, not a breaker failure. After that it is re-measured (below) and
 *   healthy again on its first success;
 * - erroring: at least ERRORING_RATE of its recent answers were server errors (5xx, a body that broke off), or a
 *   stream broke off mid-way. No first attempts while a healthy target is left; healthy again after
 *   READMIT_SUCCESSES successes in a row (more after repeated relapses), on probation;
 * - stalled: attempts waiting and none answered for longer than its usual time allows (see `rank`);
 * - broken: its circuit breaker is open (or half-open, waiting for its trial).
 *
 * Circuit breaker: closed -> open at once on an unambiguous failure (a refused or reset connection, a 503 without
 * Retry-After — an ALB with no healthy target —, or an attempt timeout during which nothing it was sent after that
 * attempt was answered: it hangs, whatever older requests it finished meanwhile); after N consecutive failures
 * otherwise (other timeouts, 500, 502, 504). While open, the isolate probes the readiness path in the background every
 * probe interval (the first one a probe interval after it opened); a passing probe makes it half-open, and one request
 * is the trial that closes or re-opens it.
 *
 * Re-measuring without spending clients: a target the router is not sending traffic to (saturated after its back-off,
 * erroring, stalled, half-open, or demoted — it was in the fastest group recently and is not now) is re-measured by
 * a copy of a live request sent in the background, whose answer is discarded: at most one copy per target per probe
 * interval and `remeasureRatio` of requests in all (half-open trials aside, which the readiness probe paces). So a
 * backend that becomes the best again gets its share back within about one or two probe intervals, and no client waits
 * on a backend that is still slow, saturated or failing. Exploration of healthy slower targets is done the same way.
 * With `remeasureRatio` 0 there are no copies: trials and exploration use real requests, and a failed real trial
 * doubles the cooldown (up to 8x) so a backend whose readiness passes while its requests fail costs fewer clients.
 */
import type { RouterConfig } from '../../lib/edge-router/router-config';

/** How an attempt failed: no connection, no headers in time, a failing status, or a body that broke off. */
export type FailureKind = 'connect' | 'timeout' | 'status' | 'body';
export type BreakerState = 'closed' | 'open' | 'half-open';
export type TargetHealth = 'healthy' | 'saturated' | 'erroring' | 'stalled' | 'broken';
/**
 * Why a target got a request: first attempts and retries (`trial`: a half-open breaker's trial; `fallback`: nothing
 * healthy was left).
 */
export type PickReason = 'best' | 'tier' | 'weighted' | 'explore' | 'trial' | 'fallback';
/** Why a target got a background copy of a request. */
export type CopyReason = 'trial' | 'saturated' | 'erroring' | 'stalled' | 'demoted' | 'explore';

/**
 * Latency EWMA weight per sample when samples are frequent. Moderate on purpose: a sudden stall is caught by waiting
 * attempts going unanswered (see `pick`), so the average does not need to jump on one slow answer. A sample after a
 * long gap weighs more (see STALE_SAMPLE_WEIGHT): an old estimate is old news.
 */
const LATENCY_ALPHA = 0.2;
/**
 * Weight of a sample sent one probe interval after the previous one (a re-measurement; more after a longer gap): a
 * demoted backend that is fast again ranks as fast after one re-measurement instead of ten.
 */
const STALE_SAMPLE_WEIGHT = 0.9;
const ERROR_ALPHA = 0.2;
/** Error rates halve every 5 s without new samples, so a backend that left the fast group is not penalised forever. */
const ERROR_HALF_LIFE_MS = 5_000;
/** How much the error rate inflates a target's cost below ERRORING_RATE: 10% errors = 1.8x the latency. */
const ERROR_COST_FACTOR = 8;
/** An error rate from which a target counts as erroring (two server errors close together do it). */
const ERRORING_RATE = 0.25;
/**
 * Successes in a row that make an erroring target healthy again; doubled (up to MAX_READMIT_SUCCESSES, so a return is
 * never more than a few re-measurements away once its errors are over) each time it
 * errors again while on probation (within PROBATION_SUCCESSES successes of its return), so a backend that keeps
 * failing part of its requests is let back less and less often, and one whose burst of errors is over returns fast.
 */
const READMIT_SUCCESSES = 2;
const MAX_READMIT_SUCCESSES = 4;
const PROBATION_SUCCESSES = 20;

/**
 * A target is stalled when it has attempts waiting and has answered none for longer than STALL_FACTOR x its latency
 * average, or its average plus DEVIATION_FACTOR x its mean deviation, whichever is longer: TCP's retransmission
 * timeout rule (RFC 6298), so a backend whose answers vary a lot (non-streamed generations of mixed length) does not
 * look hung on every long one, while a steady backend's hang shows at twice its usual time.
 */
const STALL_FACTOR = 2;
const DEVIATION_FACTOR = 4;
/** Mean deviation EWMA weight per sample (RFC 6298's beta). */
const DEVIATION_ALPHA = 0.25;
/** Absolute slack of the fastest group, so sub-millisecond noise does not split it. */
const TIER_SLACK_MS = 1;
/** Longest cooldown after repeated failed real trials, as a multiple of the configured one. */
const MAX_COOLDOWN_FACTOR = 8;
/** Probe results older than this are not applied. */
const PROBE_STALE_MS = 5 * 60_000;
/**
 * A target out of the fastest group counts as demoted (and is re-measured) for this many probe intervals after it left.
 */
const DEMOTED_MEMORY_INTERVALS = 300;
/** Re-measurement credit an isolate may save up (copies in a burst after a quiet spell). */
const MAX_COPY_CREDIT = 3;

interface TargetState {
  ewmaMs: number | undefined;
  /** Mean absolute deviation of the latency samples from the average (EWMA); the stall rule's allowance for jitter. */
  deviationMs: number;
  samples: number;
  lastSampleAt: number;
  /**
   * Start of the latest-started attempt that gave a latency sample (later samples from older attempts are older news).
   */
  lastSampleStart: number;
  errorRate: number;
  errorAt: number;
  consecutiveFailures: number;
  /** Successes in a row (for an erroring target's return). */
  consecutiveSuccesses: number;
  erroring: boolean;
  /** Successes in a row an erroring target needs to return (see READMIT_SUCCESSES). */
  readmitAfter: number;
  /** Successes since it last returned from erroring (Infinity: not on probation). */
  sinceReturn: number;
  breaker: BreakerState;
  openedAt: number;
  /** While open: when the next background readiness probe may start. */
  nextProbeAt: number;
  /**
   * Back-off after a failed real trial: the configured cooldown, doubled by each failed real trial, reset by a success.
   */
  cooldownMs: number;
  trialInFlight: boolean;
  /** A background readiness probe of this open target is running. */
  probing: boolean;
  /**
   * Epoch ms until which a saturated target gets no first attempts; 0 when not saturated (past: awaiting a success).
   */
  saturatedUntil: number;
  /** What the backend asked for (ms), for the health view. */
  saturatedForMs: number;
  saturations: number;
  inFlight: number;
  /** Attempts waiting for response headers: id -> start. Insertion order = start order, so the first is the oldest. */
  pending: Map<number, number>;
  /** Start time of the latest-started attempt that was answered: proof of life for everything sent up to then. */
  lastAnsweredStart: number;
  /**
   * Start of a timed-out attempt after which nothing was answered (a hang, until an answer says otherwise); 0: none.
   */
  silentSince: number;
  /** When that timeout happened: the evidence counts for a probe interval, then a request (or a copy) may test it. */
  silentNotedAt: number;
  lastSuccessAt: number;
  probeAppliedAt: number;
  /** Last time it was in the fastest group (latency strategy). */
  inTierAt: number;
  /** Background copies out now; a second may start when the first has been out a probe interval (it is slow news). */
  copiesInFlight: number;
  /** Start of the latest copy. */
  lastCopyAt: number;
}

/** Copies of one target out at once, at most. */
const MAX_COPIES_IN_FLIGHT = 2;

export interface Candidate {
  readonly backend: string;
  readonly weight: number;
}

export interface Pick {
  readonly backend: string;
  readonly target: string;
  readonly reason: PickReason;
}

export interface CopyPick {
  readonly backend: string;
  readonly target: string;
  readonly reason: CopyReason;
}

export interface Attempt {
  readonly id: number;
  readonly target: string;
  readonly startedAt: number;
  readonly trial: boolean;
  readonly copy: boolean;
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly ms: number;
  readonly error?: string;
}

export interface ProbeSnapshot {
  /** Epoch milliseconds of the probe run. */
  readonly at: number;
  readonly results: Readonly<Record<string, ProbeResult>>;
}

export function targetKey(backend: string, model: string): string {
  return `${backend}/${model}`;
}

interface Scored {
  readonly c: Candidate;
  readonly s: TargetState;
  readonly key: string;
}

export class HealthBoard {
  private readonly targets = new Map<string, TargetState>();
  private nextAttemptId = 1;
  private copyCredit = 0;

  constructor(private config: RouterConfig) {}

  /** Settings can change with a new deployment; state is kept. */
  configure(config: RouterConfig): void {
    this.config = config;
  }

  /** Whether doubtful targets are re-measured with background copies (otherwise with real requests). */
  private get copies(): boolean {
    return this.config.remeasureRatio > 0;
  }

  /**
   * Chooses a backend for a model among candidates (already filtered by table, residency and tried backends), and,
   * for a first attempt (`withCopy`), a target to re-measure with a background copy of the same request.
   * Order: a half-open target's trial (when trials are real requests); otherwise, among healthy targets, by strategy;
   * when none is healthy, the least doubtful of the rest (`fallback`). No pick when every candidate is broken or
   * still within its saturation back-off.
   */
  choose(
    candidates: readonly Candidate[],
    model: string,
    now: number,
    options: { withCopy?: boolean; random?: () => number } = {},
  ): { pick?: Pick; copy?: CopyPick } {
    const random = options.random ?? Math.random;
    if (candidates.length === 0) return {};
    const healthy: Scored[] = [];
    const doubtful: { x: Scored; health: TargetHealth }[] = [];
    const trials: Scored[] = [];
    for (const c of candidates) {
      const key = targetKey(c.backend, model);
      const s = this.state(key);
      const x = { c, s, key };
      if (s.breaker === 'open') continue;
      if (s.breaker === 'half-open') {
        if (!s.trialInFlight) trials.push(x);
        continue;
      }
      if (s.saturatedUntil > now) continue; // within its back-off: nothing at all
      if (s.saturatedUntil > 0) doubtful.push({ x, health: 'saturated' });
      else if (s.erroring) doubtful.push({ x, health: 'erroring' });
      else healthy.push(x);
    }
    if (!this.copies) {
      // Without copies, a saturated target past its back-off and an erroring one take real traffic again (the
      // error penalty ranks the latter).
      for (const d of doubtful.splice(0)) healthy.push(d.x);
    }

    if (trials.length > 0 && (!this.copies || healthy.length === 0)) {
      const t = trials[Math.floor(random() * trials.length)];
      return { pick: { backend: t.c.backend, target: t.key, reason: 'trial' } };
    }
    let copy: CopyPick | undefined;
    if (options.withCopy && this.copies) {
      this.copyCredit = Math.min(MAX_COPY_CREDIT, this.copyCredit + this.config.remeasureRatio);
      const trial = trials.find((t) => t.s.copiesInFlight === 0);
      if (trial) copy = { backend: trial.c.backend, target: trial.key, reason: 'trial' };
    }
    if (healthy.length === 0) {
      if (doubtful.length === 0) return { ...(copy ? { copy } : {}) };
      // Nothing healthy left: the least doubtful (erroring before saturated, then by error rate).
      doubtful.sort(
        (a, b) =>
          rankDoubtful(a.health) - rankDoubtful(b.health) || this.errorRate(a.x.s, now) - this.errorRate(b.x.s, now),
      );
      const d = doubtful[0].x;
      return { pick: { backend: d.c.backend, target: d.key, reason: 'fallback' }, ...(copy ? { copy } : {}) };
    }

    let pick: Pick;
    let outside: Scored[] = [];
    let stalledKeys = new Set<string>();
    if (this.config.strategy === 'weighted') {
      const chosen = weightedPick(
        healthy,
        (a) => a.c.weight * Math.max(0.02, 1 - 2 * this.errorRate(a.s, now)),
        random,
      );
      pick = { backend: chosen.c.backend, target: chosen.key, reason: 'weighted' };
    } else {
      const ranked = this.rank(healthy, now);
      stalledKeys = ranked.stalled;
      outside = ranked.outside;
      // Measured members of the fastest group (not the ones merely not yet heard from).
      for (const a of ranked.tier) if (a.s.samples > 0) a.s.inTierAt = now;
      // Exploration keeps the estimates of healthy slower targets fresh: with copies, a copy; without, a real request.
      const explorable = ranked.outside.filter((a) => a.s.consecutiveFailures === 0 && !stalledKeys.has(a.key));
      if (!this.copies && explorable.length > 0 && random() < this.config.exploreRatio) {
        const o = explorable[Math.floor(random() * explorable.length)];
        pick = { backend: o.c.backend, target: o.key, reason: 'explore' };
      } else {
        // Within the fastest group: weighted least-request (weight / (in-flight + 1)), which splits by weight when idle
        // and moves load away from a target that is accumulating requests.
        const tier = ranked.tier;
        const chosen = tier.length === 1 ? tier[0] : weightedPick(tier, (a) => a.c.weight / (a.s.inFlight + 1), random);
        pick = { backend: chosen.c.backend, target: chosen.key, reason: tier.length === 1 ? 'best' : 'tier' };
      }
      if (options.withCopy && this.copies && !copy) {
        const explore = explorable.filter((a) => a.s.copiesInFlight === 0);
        if (explore.length > 0 && random() < this.config.exploreRatio) {
          const o = explore[Math.floor(random() * explore.length)];
          copy = { backend: o.c.backend, target: o.key, reason: 'explore' };
        }
      }
    }
    if (options.withCopy && this.copies && !copy && this.copyCredit >= 1) {
      copy = this.remeasureCandidate(doubtful, outside, stalledKeys, pick.target, now);
    }
    if (copy && copy.reason !== 'trial' && copy.reason !== 'explore') this.copyCredit -= 1;
    return { pick, ...(copy ? { copy } : {}) };
  }

  /**
   * The doubtful or demoted target most worth a copy now: not re-measured within the last probe interval, none in
   * flight; saturated (past its back-off) and erroring first, then stalled, then demoted ones (most recently in the
   * fastest group first).
   */
  private remeasureCandidate(
    doubtful: readonly { x: Scored; health: TargetHealth }[],
    outside: readonly Scored[],
    stalled: ReadonlySet<string>,
    picked: string,
    now: number,
  ): CopyPick | undefined {
    const interval = this.config.breakerProbeIntervalMs;
    // Paced by start times (of the last copy, or of the last attempt that gave a sample), so copies go out every
    // interval whatever they take to answer.
    const due = (s: TargetState) =>
      s.copiesInFlight === 0
        ? now - Math.max(s.lastCopyAt, s.lastSampleStart) >= interval
        : s.copiesInFlight < MAX_COPIES_IN_FLIGHT && now - s.lastCopyAt >= interval;
    for (const d of doubtful) {
      if (d.x.key !== picked && due(d.x.s))
        return { backend: d.x.c.backend, target: d.x.key, reason: d.health === 'saturated' ? 'saturated' : 'erroring' };
    }
    const memory = interval * DEMOTED_MEMORY_INTERVALS;
    const demoted = outside
      .filter(
        (a) =>
          a.key !== picked && due(a.s) && (stalled.has(a.key) || (a.s.inTierAt > 0 && now - a.s.inTierAt < memory)),
      )
      .sort((a, b) => Number(stalled.has(b.key)) - Number(stalled.has(a.key)) || b.s.inTierAt - a.s.inTierAt);
    const first = demoted[0];
    return first
      ? { backend: first.c.backend, target: first.key, reason: stalled.has(first.key) ? 'stalled' : 'demoted' }
      : undefined;
  }

  /**
   * Latency strategy: cost = latency estimate x error penalty. The latency estimate is the EWMA; a stall (attempts
   * waiting, no answer for longer than its usual time allows) takes the target out while others flow, long before any
   * timeout, and ranks stalled targets by how long they have been silent when all are. A target not yet heard from
   * (no answer, no failure, no attempt out) is tried next: one request learns it, where assuming it as fast as the
   * best known one could leave it untried behind a slow one. The error penalty is for intermittent errors only: during
   * a run of consecutive failures the target keeps its place, so its breaker collects the N failures at once (each one
   * retried elsewhere) and opens.
   */
  private rank(healthy: Scored[], now: number): { tier: Scored[]; outside: Scored[]; stalled: Set<string> } {
    // A target with no answer yet is learned one request at a time: while its first attempt is out, requests go to
    // the targets already known (or not yet tried), so a cold isolate's burst is not spread evenly over backends
    // whose latency it does not know — nor piled onto one that turns out to hang.
    const learning = (a: Scored) => a.s.samples === 0 && a.s.pending.size > 0;
    const admitted = healthy.some((a) => !learning(a)) ? healthy.filter((a) => !learning(a)) : healthy;
    const known = admitted.map((a) => a.s.ewmaMs).filter((v): v is number => v !== undefined);
    const prior = known.length > 0 ? Math.min(...known) : 0;
    const stalled = new Set<string>();
    const waits = admitted.map((a) => {
      const waiting = this.silence(a.s, now);
      const usual = a.s.ewmaMs ?? prior;
      const allowance = Math.max(STALL_FACTOR * usual, usual + DEVIATION_FACTOR * a.s.deviationMs);
      if (waiting > allowance + TIER_SLACK_MS) {
        stalled.add(a.key);
        return waiting;
      }
      return 0;
    });
    // A stalled target is avoided while another one is not: choosing it wrongly costs the client up to the attempt
    // timeout, avoiding it wrongly only the latency difference.
    const anyFlowing = waits.some((w) => w === 0);
    const costs = admitted.map((a, i) => {
      if (anyFlowing && waits[i] > 0) return Infinity;
      if (a.s.ewmaMs === undefined && a.s.consecutiveFailures === 0 && a.s.pending.size === 0) return 0;
      const penalty = a.s.consecutiveFailures === 0 ? 1 + ERROR_COST_FACTOR * this.errorRate(a.s, now) : 1;
      return Math.max(a.s.ewmaMs ?? prior, waits[i]) * penalty;
    });
    const best = Math.min(...costs);
    const limit = best * (1 + this.config.latencyTolerance) + TIER_SLACK_MS;
    const tier = admitted.filter((_, i) => costs[i] <= limit);
    const outside = healthy.filter((a) => !tier.includes(a));
    return { tier, outside, stalled };
  }

  /**
   * How long the target has left attempts unanswered: counted from the start of the oldest waiting attempt sent after
   * the latest-started one it answered (an answer proves it was serving what it had been sent until then), or from a
   * timed-out attempt after which nothing was answered. Counting from its answers keeps one long generation on a
   * backend that goes on answering the others from looking like a hang; counting by start times keeps a hung backend
   * that finishes older requests from looking alive.
   */
  private silence(s: TargetState, now: number): number {
    const remembered =
      s.silentSince > s.lastAnsweredStart && now - s.silentNotedAt < this.config.breakerProbeIntervalMs;
    let since = remembered ? s.silentSince : Infinity;
    for (const started of s.pending.values()) {
      if (started > s.lastAnsweredStart) {
        since = Math.min(since, started);
        break;
      }
    }
    return since === Infinity ? 0 : Math.max(0, now - since);
  }

  /** Records the start of an attempt (or a background copy) to a target. */
  start(pick: Pick | CopyPick, now: number, copy = false): Attempt {
    const s = this.state(pick.target);
    const id = this.nextAttemptId++;
    s.inFlight++;
    s.pending.set(id, now);
    const trial = pick.reason === 'trial';
    if (trial) s.trialInFlight = true;
    if (copy) {
      s.copiesInFlight++;
      s.lastCopyAt = now;
    }
    return { id, target: pick.target, startedAt: now, trial, copy };
  }

  /** Response headers arrived with a status that is not a backend failure (2xx-4xx other than 429). */
  succeed(attempt: Attempt, now: number): void {
    const s = this.finish(attempt);
    const sample = Math.max(0, now - attempt.startedAt);
    // A sample sent a probe interval or more after the previous one (a re-measurement of a target that took no
    // traffic) is mostly a fresh start: the old estimate describes a backend that may have changed. Gaps are between
    // attempt starts, so a slow answer to an older attempt does not undo a newer one.
    const gap = s.samples === 0 ? Infinity : attempt.startedAt - s.lastSampleStart;
    if (s.ewmaMs === undefined) {
      // The first sample sets the deviation to half of it (as RFC 6298 does).
      s.deviationMs = sample / 2;
      s.ewmaMs = sample;
    } else if (gap >= this.config.breakerProbeIntervalMs) {
      // The old estimate keeps 10 % after one probe interval, 1 % after two, ...
      const weight = 1 - (1 - STALE_SAMPLE_WEIGHT) ** (gap / this.config.breakerProbeIntervalMs);
      s.deviationMs += weight * (sample / 2 - s.deviationMs);
      s.ewmaMs += weight * (sample - s.ewmaMs);
    } else {
      // An answer to an attempt sent before the newest one already measured is older news: the further back it was
      // sent, the less it counts (out-of-order answers of steady traffic, milliseconds apart, count almost fully).
      const weight = gap >= 0 ? 1 : Math.exp(gap / Math.max(1, this.config.breakerProbeIntervalMs / 3));
      // Deviation first, against the average before this sample (as RFC 6298 does).
      s.deviationMs += weight * DEVIATION_ALPHA * (Math.abs(sample - s.ewmaMs) - s.deviationMs);
      s.ewmaMs += weight * LATENCY_ALPHA * (sample - s.ewmaMs);
    }
    s.samples++;
    s.lastSampleAt = now;
    s.lastSampleStart = Math.max(s.lastSampleStart, attempt.startedAt);
    this.recordError(s, now, 0);
    s.consecutiveFailures = 0;
    s.consecutiveSuccesses++;
    if (s.erroring && s.consecutiveSuccesses >= s.readmitAfter) {
      // Its errors are over for now: back with a clean record, on probation (the next server error makes it erroring
      // again at once).
      s.erroring = false;
      s.sinceReturn = 0;
      s.errorRate = 0;
    } else if (!s.erroring && ++s.sinceReturn >= PROBATION_SUCCESSES) {
      s.readmitAfter = READMIT_SUCCESSES;
      s.sinceReturn = Infinity;
    }
    s.saturatedUntil = 0;
    s.lastSuccessAt = now;
    s.cooldownMs = this.config.breakerCooldownMs;
    if (s.breaker !== 'closed') {
      // The failures that opened it are explained (it was down, now it answers): they are not intermittent errors. On
      // probation, like an erroring target's return.
      s.breaker = 'closed';
      s.errorRate = 0;
      s.erroring = false;
      s.sinceReturn = 0;
    }
  }

  /**
   * The backend is saturated (429, or 503 with Retry-After): no first attempts until `retryAfterMs` (capped; the
   * default back-off when absent) has passed. Not an error and not a breaker failure: it answered, it is alive.
   */
  saturate(attempt: Attempt, now: number, retryAfterMs: number | undefined): number {
    const s = this.finish(attempt);
    const wait = Math.min(
      this.config.saturationMaxBackoffMs,
      Math.max(0, retryAfterMs ?? this.config.saturationBackoffMs),
    );
    s.saturatedForMs = wait;
    s.saturatedUntil = Math.max(s.saturatedUntil, now + wait, 1);
    s.saturations++;
    s.consecutiveSuccesses = 0;
    if (attempt.trial && s.breaker === 'half-open') s.breaker = 'closed'; // it answers; saturation now governs it
    return wait;
  }

  /**
   * A failed attempt: connect error, timeout before headers, a failing status, or a body that broke off before the
   * client had any of it. `unambiguous`: a refused connection or a 503 without Retry-After. `fullTimeout`: the attempt
   * waited the whole attempt timeout (not a remainder of the request's budget); when nothing the target was sent from
   * then on was answered either, it is not answering at all — whatever older requests it finished meanwhile — which
   * is as clear as a refused connection. `answered`: the target did answer (a server error status, a body that broke
   * off, a 503), so it is alive; `serverError`: its answer was a server error (5xx other than a bare 503, a body that
   * broke off), which is what makes it erroring rather than down.
   */
  fail(
    attempt: Attempt,
    now: number,
    signal: {
      readonly unambiguous?: boolean;
      readonly fullTimeout?: boolean;
      readonly timeout?: boolean;
      readonly answered?: boolean;
      readonly serverError?: boolean;
    } = {},
  ): void {
    const s = this.finish(attempt, signal.answered === true);
    const silent = signal.timeout === true && s.lastAnsweredStart < attempt.startedAt;
    if (silent) {
      if (s.silentSince === 0 || s.silentSince < s.lastAnsweredStart || attempt.startedAt < s.silentSince)
        s.silentSince = attempt.startedAt;
      s.silentNotedAt = now;
    }
    const unambiguous = signal.unambiguous === true || (silent && signal.fullTimeout === true);
    this.recordError(s, now, 1);
    s.consecutiveFailures++;
    s.consecutiveSuccesses = 0;
    // An answer other than 429 ends a saturation: the backend is no longer asking to back off (it is failing instead).
    if (signal.answered) s.saturatedUntil = 0;
    if (signal.serverError && (this.errorRate(s, now) >= ERRORING_RATE || s.sinceReturn < PROBATION_SUCCESSES))
      this.markErroring(s);
    const realTrial = attempt.trial && !attempt.copy;
    if (realTrial) s.cooldownMs = Math.min(s.cooldownMs * 2, this.config.breakerCooldownMs * MAX_COOLDOWN_FACTOR);
    const enough =
      (unambiguous && this.config.breakerOpenOnUnambiguous) ||
      s.consecutiveFailures >= this.config.breakerFailureThreshold;
    if (attempt.trial || s.breaker === 'half-open' || (s.breaker === 'closed' && enough)) this.open(s, now, realTrial);
  }

  /**
   * A streamed answer broke off after the client had part of it (connection lost, or silent for the stream idle
   * timeout): counted as a failure of the target, which is erroring from now on — a client saw it fail.
   */
  brokeMidStream(target: string, now: number): void {
    const s = this.state(target);
    this.recordError(s, now, 1);
    s.consecutiveFailures++;
    s.consecutiveSuccesses = 0;
    this.markErroring(s);
    if (s.breaker === 'closed' && s.consecutiveFailures >= this.config.breakerFailureThreshold)
      this.open(s, now, false);
  }

  /**
   * A background copy's stream broke off: erroring, as for a client's (the failure itself is recorded by {@link fail}).
   */
  markStreamBroken(target: string): void {
    this.markErroring(this.state(target));
  }

  private markErroring(s: TargetState): void {
    if (s.erroring) return;
    s.erroring = true;
    // Failing again soon after its return: it needs twice the successes next time.
    if (s.sinceReturn < PROBATION_SUCCESSES) s.readmitAfter = Math.min(s.readmitAfter * 2, MAX_READMIT_SUCCESSES);
    s.sinceReturn = Infinity;
  }

  /**
   * Applies a probe snapshot from KV (written by the scheduled handler, possibly in another isolate): a target the
   * probe saw failing is opened unless this isolate has seen it succeed since; an open target the probe saw ready
   * after it opened goes half-open at once.
   */
  applyProbe(snapshot: ProbeSnapshot, now: number): void {
    if (now - snapshot.at > PROBE_STALE_MS) return;
    for (const [key, result] of Object.entries(snapshot.results)) {
      const s = this.state(key);
      if (s.probeAppliedAt >= snapshot.at) continue;
      s.probeAppliedAt = snapshot.at;
      if (!result.ok && s.breaker === 'closed' && s.lastSuccessAt < snapshot.at) {
        this.open(s, now, false);
      } else if (result.ok && s.breaker === 'open' && snapshot.at > s.openedAt) {
        s.breaker = 'half-open';
      }
    }
  }

  /**
   * Open targets due for a readiness probe that no probe is checking yet; they are marked as being probed, and the
   * caller must report each result with {@link probed}.
   */
  dueForProbe(targets: readonly string[], now: number): string[] {
    return targets.filter((key) => {
      const s = this.state(key);
      if (s.breaker !== 'open' || s.probing || now < s.nextProbeAt) return false;
      s.probing = true;
      return true;
    });
  }

  /**
   * Result of a background readiness probe started at `startedAt`: ready -> half-open (one trial next); not ready ->
   * probe again a probe interval after this one started (a slow probe does not stretch the interval).
   */
  probed(target: string, ready: boolean, now: number, startedAt = now): void {
    const s = this.state(target);
    s.probing = false;
    if (s.breaker !== 'open') return;
    if (ready) s.breaker = 'half-open';
    else s.nextProbeAt = Math.max(now, startedAt + Math.min(this.config.breakerProbeIntervalMs, s.cooldownMs));
  }

  /**
   * Milliseconds until one of these targets may take a first attempt again: 0 if one may now; otherwise the earliest
   * of an open breaker's next probe (plus a probe's worth of time for the trial) and a saturation back-off's end.
   */
  retryAfterMs(targets: readonly string[], now: number): number {
    const waits = targets.map((t) => {
      const s = this.state(t);
      if (s.breaker === 'open') return Math.max(0, s.nextProbeAt - now);
      if (s.breaker === 'closed' && s.saturatedUntil > now) return s.saturatedUntil - now;
      return 0;
    });
    return waits.length > 0 ? Math.min(...waits) : 0;
  }

  /** The state of a target, as the health view and the decision log name it. */
  stateOf(target: string, now: number): TargetHealth {
    const s = this.state(target);
    if (s.breaker !== 'closed') return 'broken';
    if (s.saturatedUntil > 0) return 'saturated';
    if (s.erroring) return 'erroring';
    if (s.ewmaMs === undefined) return this.silence(s, now) > 0 ? 'stalled' : 'healthy';
    const usual = s.ewmaMs;
    const allowance = Math.max(STALL_FACTOR * usual, usual + DEVIATION_FACTOR * s.deviationMs);
    return this.silence(s, now) > allowance + TIER_SLACK_MS ? 'stalled' : 'healthy';
  }

  /** A readable copy of the per-target state (admin API). */
  snapshot(now: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, s] of [...this.targets.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const state = this.stateOf(key, now);
      out[key] = {
        state,
        breaker: s.breaker,
        ...(s.probing ? { probing: true } : {}),
        ...(s.saturatedUntil > 0
          ? {
              saturated: {
                until: new Date(s.saturatedUntil).toISOString(),
                retryAfterMs: Math.max(0, s.saturatedUntil - now),
                askedMs: s.saturatedForMs,
              },
            }
          : {}),
        ...(s.breaker === 'open' ? { nextProbeInMs: Math.max(0, s.nextProbeAt - now) } : {}),
        ewmaMs: s.ewmaMs === undefined ? null : Math.round(s.ewmaMs * 10) / 10,
        deviationMs: s.ewmaMs === undefined ? null : Math.round(s.deviationMs * 10) / 10,
        errorRate: Math.round(this.errorRate(s, now) * 1000) / 1000,
        consecutiveFailures: s.consecutiveFailures,
        saturations: s.saturations,
        inFlight: s.inFlight,
        samples: s.samples,
      };
    }
    return out;
  }

  private open(s: TargetState, now: number, afterFailedRealTrial: boolean): void {
    s.breaker = 'open';
    s.openedAt = now;
    // The first probe a probe interval after opening (a failed real trial waits its doubled cooldown instead).
    s.nextProbeAt =
      now + (afterFailedRealTrial ? s.cooldownMs : Math.min(this.config.breakerProbeIntervalMs, s.cooldownMs));
  }

  /** Ends an attempt; `answered` (default: it succeeded) records that the target responded to it. */
  private finish(attempt: Attempt, answered = true): TargetState {
    const s = this.state(attempt.target);
    if (s.pending.delete(attempt.id)) s.inFlight = Math.max(0, s.inFlight - 1);
    if (attempt.trial) s.trialInFlight = false;
    if (attempt.copy) s.copiesInFlight = Math.max(0, s.copiesInFlight - 1);
    if (answered && attempt.startedAt > s.lastAnsweredStart) s.lastAnsweredStart = attempt.startedAt;
    if (answered && s.silentSince !== 0 && s.lastAnsweredStart >= s.silentSince) s.silentSince = 0;
    return s;
  }

  private recordError(s: TargetState, now: number, value: 0 | 1): void {
    s.errorRate = this.errorRate(s, now) * (1 - ERROR_ALPHA) + ERROR_ALPHA * value;
    s.errorAt = now;
  }

  private errorRate(s: TargetState, now: number): number {
    return s.errorRate === 0 ? 0 : s.errorRate * 2 ** (-Math.max(0, now - s.errorAt) / ERROR_HALF_LIFE_MS);
  }

  private state(key: string): TargetState {
    let s = this.targets.get(key);
    if (!s) {
      s = {
        ewmaMs: undefined,
        deviationMs: 0,
        samples: 0,
        lastSampleAt: 0,
        lastSampleStart: 0,
        errorRate: 0,
        errorAt: 0,
        consecutiveFailures: 0,
        consecutiveSuccesses: 0,
        erroring: false,
        readmitAfter: READMIT_SUCCESSES,
        sinceReturn: Infinity,
        breaker: 'closed',
        openedAt: 0,
        nextProbeAt: 0,
        cooldownMs: this.config.breakerCooldownMs,
        trialInFlight: false,
        probing: false,
        saturatedUntil: 0,
        saturatedForMs: 0,
        saturations: 0,
        inFlight: 0,
        pending: new Map(),
        lastAnsweredStart: 0,
        silentSince: 0,
        silentNotedAt: 0,
        lastSuccessAt: 0,
        probeAppliedAt: 0,
        inTierAt: 0,
        copiesInFlight: 0,
        lastCopyAt: 0,
      };
      this.targets.set(key, s);
    }
    return s;
  }
}

function rankDoubtful(health: TargetHealth): number {
  return health === 'erroring' ? 0 : 1;
}

/** Weighted random choice; falls back to uniform when every weight is 0. */
function weightedPick<T>(items: readonly T[], weightOf: (item: T) => number, random: () => number): T {
  const weights = items.map((i) => Math.max(0, weightOf(i)));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return items[Math.floor(random() * items.length)];
  let r = random() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i];
    if (r < 0) return items[i];
  }
  return items[items.length - 1];
}
