import { recordUs, type Histogram } from '../measure/histogram.js';
import { dueCount, slotUs } from './schedule.js';

/**
 * When each schedule index is due and how much to send per tick: one implementation per way of
 * publishing (paced on the global schedule, or as fast as possible), so the publisher itself never
 * asks which one it runs.
 */
export interface Scheduler {
  /** Schedule indexes [0, plannedTotal) at most; Infinity when bounded by a deadline. */
  readonly plannedTotal: number;
  /** Commands one connection may have in flight, given the bound over all of them. */
  laneWindow(maxInFlight: number, laneCount: number): number;
  /** Slot 0 is `t0Us`. */
  start(t0Us: number): void;
  /** No index may be dispatched any more (a duration ran out). */
  expired(nowUs: number): boolean;
  /** How many indexes, from `next` on, to send now (before the connections' room is counted). */
  wanted(nowUs: number, next: number, laneCount: number): number;
  /**
   * A connection with less room than this waits for more replies first, given the events wanted
   * and the most a connection may have in flight.
   */
  minBatch(wanted: number, laneWindow: number): number;
  /** Indexes [from, from + count) go out now: note their intended times and schedule lag. */
  dispatching(nowUs: number, from: number, count: number, lag: Histogram): void;
  /** The intended send time of a dispatched index: what its latency is measured from. */
  intendedUs(index: number): number;
  /** µs until the next index is due (0 or less: send on the next turn of the event loop). */
  waitUs(nowUs: number, next: number): number;
  /** Whether an achieved rate meets the target. */
  rateMet(achievedRatePerSec: number): boolean;
}

/** How many events a run dispatches at most (Infinity: until the deadline, rate 0). */
export function plannedEvents(
  events: number | null,
  durationSec: number | null,
  ratePerSec: number,
): number {
  const byDuration =
    durationSec !== null && ratePerSec > 0
      ? Math.max(1, Math.round(ratePerSec * durationSec))
      : Infinity;
  return Math.min(events ?? Infinity, byDuration);
}

/** Rate 0 selects the as-fast-as-possible scheduler, any other rate the paced one. */
export function createScheduler(
  events: number | null,
  durationSec: number | null,
  ratePerSec: number,
): Scheduler {
  const planned = plannedEvents(events, durationSec, ratePerSec);
  return ratePerSec > 0
    ? new PacedScheduler(ratePerSec, planned)
    : new UnpacedScheduler(planned, durationSec);
}

/**
 * Open loop at a target rate: index i is due at t0 + i/R, each tick sends everything due, and
 * the lag of a dispatch behind its slot is recorded.
 */
export class PacedScheduler implements Scheduler {
  private t0Us = 0;

  constructor(
    private readonly ratePerSec: number,
    readonly plannedTotal: number,
  ) {}

  laneWindow(maxInFlight: number, laneCount: number): number {
    return Math.max(1, Math.ceil(maxInFlight / laneCount));
  }

  start(t0Us: number): void {
    this.t0Us = t0Us;
  }

  expired(_nowUs: number): boolean {
    return false;
  }

  wanted(nowUs: number, next: number): number {
    return dueCount(this.t0Us, nowUs, this.ratePerSec, this.plannedTotal) - next;
  }

  /** An event due goes out at once, however little room there is. */
  minBatch(_wanted: number, _laneWindow: number): number {
    return 1;
  }

  dispatching(nowUs: number, from: number, count: number, lag: Histogram): void {
    for (let index = from; index < from + count; index++)
      recordUs(lag, nowUs - this.intendedUs(index));
  }

  intendedUs(index: number): number {
    return slotUs(this.t0Us, index, this.ratePerSec);
  }

  waitUs(nowUs: number, next: number): number {
    return this.intendedUs(next) - nowUs;
  }

  rateMet(achievedRatePerSec: number): boolean {
    return achievedRatePerSec >= 0.99 * this.ratePerSec;
  }
}

/**
 * Commands per connection per tick, and the most a connection has in flight, when publishing as
 * fast as possible. Measured against redis-benchmark: a deep window only queues work inside Redis
 * (more memory, no more throughput), a shallow one leaves Redis idle between round trips.
 */
const UNPACED_BATCH = 128;
const UNPACED_MIN_BATCH = 64;
const UNPACED_WINDOW = 256;

/**
 * As fast as possible: every tick sends a batch per connection, as far as the window allows. An
 * event's intended time is when it was dispatched, so its schedule lag is 0 by definition
 * (recorded as the histogram's 1 µs floor) and its latency counts from the dispatch.
 */
export class UnpacedScheduler implements Scheduler {
  private deadlineUs = Infinity;
  private dispatchedAtUs: Float64Array;

  constructor(
    readonly plannedTotal: number,
    private readonly durationSec: number | null,
  ) {
    this.dispatchedAtUs = new Float64Array(Math.min(plannedTotal, 65_536));
  }

  laneWindow(maxInFlight: number, laneCount: number): number {
    return Math.min(Math.max(1, Math.ceil(maxInFlight / laneCount)), UNPACED_WINDOW);
  }

  start(t0Us: number): void {
    if (this.durationSec !== null) this.deadlineUs = t0Us + this.durationSec * 1e6;
  }

  expired(nowUs: number): boolean {
    return nowUs >= this.deadlineUs;
  }

  wanted(_nowUs: number, next: number, laneCount: number): number {
    return Math.min(this.plannedTotal - next, laneCount * UNPACED_BATCH);
  }

  /**
   * Replies free a connection's room a few at a time; sending into every bit of room made writes
   * of about 20 XADDs at top rate, and a write (and Redis's read) costs about as much for 20 as
   * for 64. Waiting for UNPACED_MIN_BATCH of room (at most half the window) made them 90-100.
   */
  minBatch(wanted: number, laneWindow: number): number {
    return Math.max(1, Math.min(UNPACED_MIN_BATCH, wanted, Math.floor(laneWindow / 2)));
  }

  dispatching(nowUs: number, from: number, count: number, lag: Histogram): void {
    const needed = from + count;
    if (needed > this.dispatchedAtUs.length) {
      const grown = new Float64Array(Math.max(needed, this.dispatchedAtUs.length * 2));
      grown.set(this.dispatchedAtUs);
      this.dispatchedAtUs = grown;
    }
    this.dispatchedAtUs.fill(nowUs, from, needed);
    lag.recordValueWithCount(1, count);
  }

  intendedUs(index: number): number {
    return this.dispatchedAtUs[index]!;
  }

  waitUs(_nowUs: number, _next: number): number {
    return 0;
  }

  rateMet(_achievedRatePerSec: number): boolean {
    return true;
  }
}
