/*
 * Per-isolate view of backend health and the choice of a backend.
 *
 * Health is tracked per target = backend × model, because one ALB fronts one fleet per model and a fleet can fail
 * alone. Each target has a latency EWMA (time to response headers), a time-decayed error-rate EWMA, in-flight
 * attempts, and a circuit breaker: closed -> open after N consecutive failures; after a cooldown the isolate probes
 * the target's readiness path in the background (no client request is spent on a backend that is still down, and no
 * client waits on one that hangs); a passing probe makes it half-open, where one client request (the trial) decides
 * between closed and open again; a failing probe is repeated every probe interval (shorter than the cooldown), so a
 * backend that comes back is seen within that interval rather than within a whole cooldown.
 *
 * Unambiguous failures open the breaker at once: a refused or reset connection (nothing is serving), a 503 (an ALB
 * with no healthy target for the fleet, or a server shedding load) and an attempt timeout during which the target
 * answered nothing at all (it hangs). Ambiguous ones — a timeout while the target answered others, a 502 or 504 —
 * need N in a row. A failed trial doubles the cooldown (up to 8x), so a backend whose readiness path passes while its
 * inference fails is not retried with a client request every cooldown; a success resets it.
 */
import type { RouterConfig } from '../../lib/edge-router/router-config';

export type FailureKind = 'connect' | 'timeout' | 'status';
export type BreakerState = 'closed' | 'open' | 'half-open';
export type PickReason = 'best' | 'tier' | 'weighted' | 'explore' | 'trial';

/**
 * Latency EWMA weight per sample. Moderate on purpose: a sudden stall is caught by waiting attempts going unanswered
 * (see `pick`), so the average does not need to jump on one slow answer, which made close backends flap under noise.
 */
const LATENCY_ALPHA = 0.2;
const ERROR_ALPHA = 0.2;
/** Error rates halve every 5 s without new samples, so a backend that left the fast group is not penalised forever. */
const ERROR_HALF_LIFE_MS = 5_000;
/** How much the error rate inflates a target's cost: 10% errors = 1.8x the latency. */
const ERROR_COST_FACTOR = 8;
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
/** Longest cooldown after repeated failed trials, as a multiple of the configured one. */
const MAX_COOLDOWN_FACTOR = 8;
/** Probe results older than this are not applied. */
const PROBE_STALE_MS = 5 * 60_000;

interface TargetState {
  ewmaMs: number | undefined;
  /** Mean absolute deviation of the latency samples from the average (EWMA); the stall rule's allowance for jitter. */
  deviationMs: number;
  errorRate: number;
  errorAt: number;
  consecutiveFailures: number;
  breaker: BreakerState;
  openedAt: number;
  /** While open: when the next background readiness probe may start (cooldown after opening, then every probe interval). */
  nextProbeAt: number;
  /** Current cooldown: the configured one, doubled by each failed trial, reset by a success. */
  cooldownMs: number;
  trialInFlight: boolean;
  /** A background readiness probe of this open target is running. */
  probing: boolean;
  inFlight: number;
  /** Attempts waiting for response headers: id -> start. Insertion order = age order, so the first is the oldest. */
  pending: Map<number, number>;
  lastSuccessAt: number;
  probeAppliedAt: number;
  samples: number;
}

export interface Candidate {
  readonly backend: string;
  readonly weight: number;
}

export interface Pick {
  readonly backend: string;
  readonly target: string;
  readonly reason: PickReason;
}

export interface Attempt {
  readonly id: number;
  readonly target: string;
  readonly startedAt: number;
  readonly trial: boolean;
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

export class HealthBoard {
  private readonly targets = new Map<string, TargetState>();
  private nextAttemptId = 1;

  constructor(private config: RouterConfig) {}

  /** Settings can change with a new deployment; state is kept. */
  configure(config: RouterConfig): void {
    this.config = config;
  }

  /**
   * Chooses a backend for a model among candidates (already filtered by table, residency and tried backends).
   * Order: a half-open target due for its trial; otherwise, among targets whose breaker admits traffic, by
   * strategy. Undefined when there is no candidate or every candidate's breaker is open.
   */
  pick(candidates: readonly Candidate[], model: string, now: number, random: () => number = Math.random): Pick | undefined {
    if (candidates.length === 0) return undefined;
    let admitted: { c: Candidate; s: TargetState; key: string }[] = [];
    const trials: { c: Candidate; key: string }[] = [];
    for (const c of candidates) {
      const key = targetKey(c.backend, model);
      const s = this.state(key);
      if (s.breaker === 'closed') admitted.push({ c, s, key });
      else if (s.breaker === 'half-open' && !s.trialInFlight) trials.push({ c, key });
    }
    if (trials.length > 0) {
      const t = trials[Math.floor(random() * trials.length)];
      return { backend: t.c.backend, target: t.key, reason: 'trial' };
    }
    // Every breaker open: fail fast (the caller answers 503) instead of loading a backend that is known to fail.
    if (admitted.length === 0) return undefined;
    if (this.config.strategy === 'latency') {
      // A target with no answer yet is learned one request at a time: while its first attempt is out, requests go to
      // the targets already known (or not yet tried), so a cold isolate's burst is not spread evenly over backends
      // whose latency it does not know — nor piled onto one that turns out to hang.
      const learning = (a: { s: TargetState }) => a.s.samples === 0 && a.s.pending.size > 0;
      if (admitted.some((a) => !learning(a))) admitted = admitted.filter((a) => !learning(a));
    }
    if (this.config.strategy === 'weighted') {
      const chosen = weightedPick(admitted, (a) => a.c.weight * Math.max(0.02, 1 - 2 * this.errorRate(a.s, now)), random);
      return { backend: chosen.c.backend, target: chosen.key, reason: 'weighted' };
    }
    // Latency strategy: cost = latency estimate x error penalty. The latency estimate is the EWMA; a stall (attempts
    // waiting, no answer for longer than its usual time allows, see STALL_FACTOR) takes the target out while others
    // flow, long before any timeout, and ranks stalled targets by how long they have been silent when all are. A
    // target not yet heard from (no answer, no failure, no attempt out) is tried next: one request learns it, where
    // assuming it as fast as the best known one could leave it untried behind a slow one.
    // The error penalty is for intermittent errors only: during a run of consecutive failures the target keeps its
    // place, so its breaker collects the N failures at once (each one retried elsewhere) and opens, instead of the
    // target drifting out of the fastest group after one failure and back in for more failures as the rate decays.
    const known = admitted.map((a) => a.s.ewmaMs).filter((v): v is number => v !== undefined);
    const prior = known.length > 0 ? Math.min(...known) : 0;
    // A stall: the target has attempts waiting and has answered none of them for longer than its usual time allows.
    // Counting from its last answer, not from the oldest attempt, keeps one long generation on a backend that goes
    // on answering the others from looking like a hang; a backend that stops answering shows at once either way.
    const stalled = admitted.map((a) => {
      const oldest = a.s.pending.values().next();
      const waiting = oldest.done ? 0 : now - Math.max(oldest.value, a.s.lastSuccessAt);
      const usual = a.s.ewmaMs ?? prior;
      const allowance = Math.max(STALL_FACTOR * usual, usual + DEVIATION_FACTOR * a.s.deviationMs);
      return waiting > allowance + TIER_SLACK_MS ? waiting : 0;
    });
    // A stalled target is avoided while another one is not: choosing it wrongly costs the client up to the attempt
    // timeout, avoiding it wrongly only the latency difference, so the stall itself (not its age so far) decides.
    const anyFlowing = stalled.some((w) => w === 0);
    const costs = admitted.map((a, i) => {
      if (anyFlowing && stalled[i] > 0) return Infinity;
      if (a.s.ewmaMs === undefined && a.s.consecutiveFailures === 0 && a.s.pending.size === 0) return 0;
      const penalty = a.s.consecutiveFailures === 0 ? 1 + ERROR_COST_FACTOR * this.errorRate(a.s, now) : 1;
      return Math.max(a.s.ewmaMs ?? prior, stalled[i]) * penalty;
    });
    const best = Math.min(...costs);
    const limit = best * (1 + this.config.latencyTolerance) + TIER_SLACK_MS;
    const tier = admitted.filter((_, i) => costs[i] <= limit);
    // Exploration keeps the estimates of healthy targets fresh; a target whose last attempt failed, or that has a
    // stalled attempt, is not explored.
    const others = admitted.filter((a, i) => costs[i] > limit && a.s.consecutiveFailures === 0 && stalled[i] === 0);
    if (others.length > 0 && random() < this.config.exploreRatio) {
      const o = others[Math.floor(random() * others.length)];
      return { backend: o.c.backend, target: o.key, reason: 'explore' };
    }
    // Within the fastest group: weighted least-request (weight / (in-flight + 1)), which splits by weight when idle
    // and moves load away from a target that is accumulating requests.
    const chosen = tier.length === 1 ? tier[0] : weightedPick(tier, (a) => a.c.weight / (a.s.inFlight + 1), random);
    return { backend: chosen.c.backend, target: chosen.key, reason: tier.length === 1 ? 'best' : 'tier' };
  }

  /** Records the start of an attempt to a target. */
  start(pick: Pick, now: number): Attempt {
    const s = this.state(pick.target);
    const id = this.nextAttemptId++;
    s.inFlight++;
    s.pending.set(id, now);
    const trial = pick.reason === 'trial';
    if (trial) s.trialInFlight = true;
    return { id, target: pick.target, startedAt: now, trial };
  }

  /** Response headers arrived with a status that is not a backend failure. `serverError` = other 5xx. */
  succeed(attempt: Attempt, now: number, serverError = false): void {
    const s = this.finish(attempt);
    const sample = Math.max(0, now - attempt.startedAt);
    // Deviation first, against the average before this sample (as RFC 6298 does); the first sample sets it to half.
    s.deviationMs = s.ewmaMs === undefined ? sample / 2 : s.deviationMs + DEVIATION_ALPHA * (Math.abs(sample - s.ewmaMs) - s.deviationMs);
    s.ewmaMs = s.ewmaMs === undefined ? sample : s.ewmaMs + LATENCY_ALPHA * (sample - s.ewmaMs);
    s.samples++;
    this.recordError(s, now, serverError ? 1 : 0);
    s.consecutiveFailures = 0;
    s.lastSuccessAt = now;
    s.cooldownMs = this.config.breakerCooldownMs;
    if (s.breaker !== 'closed') s.breaker = 'closed';
  }

  /**
   * Connect error, timeout before headers, or 502/503/504. `unambiguous`: a refused connection or a 503.
   * `fullTimeout`: the attempt waited the whole attempt timeout (not a remainder of the request's budget); when the
   * target answered nothing else meanwhile either, it is not answering at all, which is as clear as a refused
   * connection — waiting for N such timeouts would cost N clients the whole timeout each.
   */
  fail(attempt: Attempt, now: number, signal: { readonly unambiguous?: boolean; readonly fullTimeout?: boolean } = {}): void {
    const s = this.finish(attempt);
    const silent = signal.fullTimeout === true && s.lastSuccessAt < attempt.startedAt;
    const unambiguous = signal.unambiguous === true || silent;
    this.recordError(s, now, 1);
    s.consecutiveFailures++;
    if (attempt.trial) s.cooldownMs = Math.min(s.cooldownMs * 2, this.config.breakerCooldownMs * MAX_COOLDOWN_FACTOR);
    // A failed trial re-opens for a (longer) cooldown; attempts started before the breaker opened do not extend it.
    const enough = (unambiguous && this.config.breakerOpenOnUnambiguous) || s.consecutiveFailures >= this.config.breakerFailureThreshold;
    if (attempt.trial || s.breaker === 'half-open' || (s.breaker === 'closed' && enough)) this.open(s, now);
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
        this.open(s, now);
      } else if (result.ok && s.breaker === 'open' && snapshot.at > s.openedAt) {
        s.breaker = 'half-open';
      }
    }
  }

  /**
   * Open targets due for a readiness probe (cooldown passed, then every probe interval) that no probe is checking
   * yet; they are marked as being probed, and the caller must report each result with {@link probed}.
   */
  dueForProbe(targets: readonly string[], now: number): string[] {
    return targets.filter((key) => {
      const s = this.state(key);
      if (s.breaker !== 'open' || s.probing || now < s.nextProbeAt) return false;
      s.probing = true;
      return true;
    });
  }

  /** Result of a background readiness probe: ready -> half-open (one trial request next); not ready -> probe again after the probe interval. */
  probed(target: string, ready: boolean, now: number): void {
    const s = this.state(target);
    s.probing = false;
    if (s.breaker !== 'open') return;
    if (ready) s.breaker = 'half-open';
    else s.nextProbeAt = now + Math.min(this.config.breakerProbeIntervalMs, s.cooldownMs);
  }

  /** Milliseconds until the first of these targets' breakers is probed again (0 if one is due or half-open). */
  retryAfterMs(targets: readonly string[], now: number): number {
    const waits = targets.map((t) => {
      const s = this.state(t);
      return s.breaker === 'open' ? Math.max(0, s.nextProbeAt - now) : 0;
    });
    return waits.length > 0 ? Math.min(...waits) : 0;
  }

  /** A readable copy of the per-target state (admin API). */
  snapshot(now: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, s] of [...this.targets.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      out[key] = {
        breaker: s.breaker,
        ...(s.probing ? { probing: true } : {}),
        ewmaMs: s.ewmaMs === undefined ? null : Math.round(s.ewmaMs * 10) / 10,
        deviationMs: s.ewmaMs === undefined ? null : Math.round(s.deviationMs * 10) / 10,
        errorRate: Math.round(this.errorRate(s, now) * 1000) / 1000,
        consecutiveFailures: s.consecutiveFailures,
        inFlight: s.inFlight,
        samples: s.samples,
      };
    }
    return out;
  }

  private open(s: TargetState, now: number): void {
    s.breaker = 'open';
    s.openedAt = now;
    s.nextProbeAt = now + s.cooldownMs;
  }

  private finish(attempt: Attempt): TargetState {
    const s = this.state(attempt.target);
    if (s.pending.delete(attempt.id)) s.inFlight = Math.max(0, s.inFlight - 1);
    if (attempt.trial) s.trialInFlight = false;
    return s;
  }

  private recordError(s: TargetState, now: number, value: 0 | 1): void {
    s.errorRate = this.errorRate(s, now) * (1 - ERROR_ALPHA) + ERROR_ALPHA * value;
    s.errorAt = now;
  }

  private errorRate(s: TargetState, now: number): number {
    return s.errorRate === 0 ? 0 : s.errorRate * Math.pow(2, -Math.max(0, now - s.errorAt) / ERROR_HALF_LIFE_MS);
  }

  private state(key: string): TargetState {
    let s = this.targets.get(key);
    if (!s) {
      s = {
        ewmaMs: undefined,
        deviationMs: 0,
        errorRate: 0,
        errorAt: 0,
        consecutiveFailures: 0,
        breaker: 'closed',
        openedAt: 0,
        nextProbeAt: 0,
        cooldownMs: this.config.breakerCooldownMs,
        trialInFlight: false,
        probing: false,
        inFlight: 0,
        pending: new Map(),
        lastSuccessAt: 0,
        probeAppliedAt: 0,
        samples: 0,
      };
      this.targets.set(key, s);
    }
    return s;
  }
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
