import { monotonicClock, type Clock } from '../clock.js';
import type { EventGenerator } from '../events/generator.js';
import {
  createHistogram,
  encodeHistogram,
  recordUs,
  summarizeMs,
  type Histogram,
} from '../measure/histogram.js';
import type { PublisherFigures } from '../measure/result.js';
import { createProgress, type ProgressMode, type ProgressReporter } from './progress.js';
import { RedisUnavailableError, RespConnection } from './resp-connection.js';
import { createScheduler, type Scheduler } from './scheduler.js';
import { MAX_CONCURRENCY, shapeProblem } from './shape.js';
import { XaddBatchEncoder } from './xadd-encoder.js';

export { RedisUnavailableError } from './resp-connection.js';
export { MAX_CONCURRENCY } from './shape.js';

export interface PublishOptions {
  /** The publisher opens `concurrency` connections to this URL itself, and closes them. */
  redisUrl: string;
  /** e.g. streamKey(chainId) from stack/contracts.ts */
  streamKey: string;
  generator: EventGenerator;
  /** Stop after this many events... */
  events: number | null;
  /**
   * ...or (never both) after this long: with a rate, the count is rate x duration; with rate 0,
   * dispatching stops at the deadline.
   */
  durationSec: number | null;
  /** Target rate on the global schedule; 0 = as fast as possible. */
  ratePerSec: number;
  /** Publishers, one connection each; the connection index is the event's shard. */
  concurrency: number;
  /** Sequence number of the first event (default 0). */
  firstSequence?: number;
  clock?: Clock;
  /** auto: a bar on a TTY stderr, a plain line every 5 s otherwise. Never stdout. */
  progress?: ProgressMode;
  progressLabel?: string;
  /** Stops dispatching, waits for what is in flight, returns what was done. */
  signal?: AbortSignal;
  /** XADD MAXLEN ~ cap, so long runs do not fill Redis's memory. */
  maxLenApprox?: number;
  /** Bound on connecting (TCP + handshake) to Redis; default 5000. */
  connectTimeoutMs?: number;
  /**
   * Commands sent but not yet answered, over all connections (default 20,000). The bound keeps a
   * stalled Redis from growing memory without limit; events due while it is reached are sent
   * late, and their latency, measured from their slot, shows the stall.
   */
  maxInFlight?: number;
  /** Give up when Redis has answered nothing for this long while commands wait (default 30,000). */
  replyTimeoutMs?: number;
  /** Told the monotonic µs of slot 0 as the schedule starts (a timeline counts seconds from it). */
  onStart?(t0Us: number): void;
}

export type PublishStopReason = 'completed' | 'aborted' | 'connection-lost' | 'stalled';

export interface PublishOutcome {
  figures: PublisherFigures;
  /** Monotonic µs (clock.ts) of slot 0 of the schedule. */
  t0Us: number;
  /** Sequences [firstSequence, firstSequence + attempted) were dispatched. */
  attempted: number;
  /** XADDs that failed: these sequences are not in the stream. */
  failedSequences: number[];
  /** Events acknowledged in each second after slot 0 (index = whole seconds since t0Us). */
  publishedPerSecond: number[];
  /** Why dispatching ended, and the error behind it if any. */
  stopReason: PublishStopReason;
  stopMessage: string | null;
  /** The schedule slot of a dispatched sequence (rate 0: when it was actually dispatched). */
  intendedSendUs(sequence: number): number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_IN_FLIGHT = 20_000;
const DEFAULT_REPLY_TIMEOUT_MS = 30_000;
/**
 * Node timers fire about a millisecond late at best, so a slot closer than this is waited for by
 * yielding to I/O (setImmediate) instead; further slots use a timer, so a paced run does not burn
 * a core the system under test needs.
 */
const SPIN_WINDOW_US = 300;
/** Longest sleep between ticks, so progress, deadline and abort stay responsive at low rates. */
const MAX_SLEEP_MS = 200;
/** While commands wait on a full window, re-check for stalls at this period. */
const STALL_CHECK_MS = 50;

const SHAPE_OPTION_NAMES = {
  events: 'events',
  rate: 'ratePerSec',
  concurrency: 'concurrency',
  duration: 'durationSec',
};

function validate(options: PublishOptions): void {
  const { events, durationSec, ratePerSec, concurrency } = options;
  if (events !== null && (!Number.isInteger(events) || events < 1)) {
    throw new RangeError(`publish: events must be a whole number of at least 1, got ${events}`);
  }
  if (durationSec !== null && !(Number.isFinite(durationSec) && durationSec > 0)) {
    throw new RangeError(`publish: durationSec must be above 0, got ${durationSec}`);
  }
  if (!(Number.isFinite(ratePerSec) && ratePerSec >= 0)) {
    throw new RangeError(`publish: ratePerSec must be 0 or more, got ${ratePerSec}`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new RangeError(
      `publish: concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${concurrency}`,
    );
  }
  // The settings layer's cross-field rules; a duration at rate 0 is "until then" here.
  const problem = shapeProblem(options, SHAPE_OPTION_NAMES, {
    openEnded: true,
    idlePublishers: true,
  });
  if (problem) throw new RangeError(`publish: ${problem}`);
  const firstSequence = options.firstSequence ?? 0;
  if (!Number.isInteger(firstSequence) || firstSequence < 0) {
    throw new RangeError(`publish: firstSequence must be a whole number of 0 or more`);
  }
  const { maxLenApprox, maxInFlight } = options;
  if (maxLenApprox !== undefined && !(Number.isInteger(maxLenApprox) && maxLenApprox > 0)) {
    throw new RangeError(`publish: maxLenApprox must be a whole number above 0`);
  }
  if (maxInFlight !== undefined && !(Number.isInteger(maxInFlight) && maxInFlight >= 1)) {
    throw new RangeError(`publish: maxInFlight must be a whole number of at least 1`);
  }
}

export { plannedEvents } from './scheduler.js';

/**
 * Publishes generated events into a Redis stream on an open-loop schedule: event i is due at
 * t0 + i/R, every tick sends everything that is due across the connections, pipelined, and no send
 * waits for an earlier reply. Latency is reply time - slot time, so a slow or stalled Redis shows
 * up as latency of the events due meanwhile instead of silently lowering the rate.
 */
export async function publish(options: PublishOptions): Promise<PublishOutcome> {
  validate(options);
  const clock = options.clock ?? monotonicClock;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const opened = await Promise.allSettled(
    Array.from({ length: options.concurrency }, (_, shard) =>
      RespConnection.open({
        url: options.redisUrl,
        connectTimeoutMs,
        clock,
        // Unique per run, so an operator (or a test) can find exactly these connections.
        clientName: `ethhook-load-test-publisher-${options.generator.runId}-${shard}`,
      }),
    ),
  );
  const connections = opened.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const failure = opened.find((result) => result.status === 'rejected');
  if (failure) {
    for (const connection of connections) connection.destroy();
    const reason = (failure as PromiseRejectedResult).reason as unknown;
    throw reason instanceof RedisUnavailableError
      ? reason
      : new RedisUnavailableError(String(reason));
  }
  try {
    const scheduler = createScheduler(options.events, options.durationSec, options.ratePerSec);
    return await new PublishRun(options, connections, clock, scheduler).run();
  } finally {
    await Promise.all(connections.map((connection) => connection.close()));
  }
}

/** One connection and the schedule indexes it has in flight, oldest first (a ring buffer). */
class Lane {
  readonly inFlight: Float64Array;
  head = 0;
  size = 0;
  lost = false;

  constructor(
    readonly shard: number,
    readonly connection: RespConnection,
    capacity: number,
  ) {
    this.inFlight = new Float64Array(capacity);
  }

  get free(): number {
    return this.lost ? 0 : this.inFlight.length - this.size;
  }

  push(index: number): void {
    let slot = this.head + this.size;
    if (slot >= this.inFlight.length) slot -= this.inFlight.length;
    this.inFlight[slot] = index;
    this.size++;
  }

  shift(): number {
    const index = this.inFlight[this.head]!;
    this.head = this.head + 1 === this.inFlight.length ? 0 : this.head + 1;
    this.size--;
    return index;
  }
}

class PublishRun {
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly encoder: XaddBatchEncoder;
  private readonly lanes: Lane[];
  /** Each lane's share of the current dispatch (scratch). */
  private readonly takes: Int32Array;
  private readonly targetRatePerSec: number;
  private readonly firstSequence: number;
  /** Schedule indexes [0, plannedTotal) at most; Infinity when bounded by a deadline. */
  private readonly plannedTotal: number;
  private readonly replyTimeoutUs: number;
  private readonly progress: ProgressReporter;
  private readonly signal: AbortSignal | undefined;
  private readonly onStart: ((t0Us: number) => void) | undefined;

  private t0Us = 0;
  /** Next schedule index to dispatch. */
  private next = 0;
  private inFlight = 0;
  private laneCursor = 0;
  private published = 0;
  private readonly publishedPerSecond: number[] = [];
  private readonly failedSequences: number[] = [];
  private lastAckUs = 0;
  private lastReplyUs = 0;
  /** When the last event was written to a connection: the end of the load offered. */
  private lastSendUs = 0;
  private readonly latency: Histogram = createHistogram();
  /** A run of equal latencies not recorded yet (recordLatency). */
  private latencyRunUs = 0;
  private latencyRunCount = 0;
  private readonly lag: Histogram = createHistogram();

  private stopping = false;
  private stopReason: PublishStopReason = 'completed';
  private stopMessage: string | null = null;
  private finished = false;
  private waitingForCapacity = false;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private resolveRun: (() => void) | null = null;

  constructor(
    options: PublishOptions,
    connections: RespConnection[],
    clock: Clock,
    scheduler: Scheduler,
  ) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.targetRatePerSec = options.ratePerSec;
    this.firstSequence = options.firstSequence ?? 0;
    this.plannedTotal = scheduler.plannedTotal;
    this.replyTimeoutUs = (options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS) * 1000;
    this.signal = options.signal;
    this.onStart = options.onStart;
    const prefix = ['XADD', options.streamKey];
    if (options.maxLenApprox !== undefined) {
      prefix.push('MAXLEN', '~', String(options.maxLenApprox));
    }
    prefix.push('*');
    this.encoder = new XaddBatchEncoder(prefix, options.generator);

    const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    const perLane = scheduler.laneWindow(maxInFlight, connections.length);
    this.lanes = connections.map((connection, shard) => {
      const lane = new Lane(shard, connection, perLane);
      connection.onReply = (error, receivedUs) => this.onReply(lane, error, receivedUs);
      connection.onLost = (error) => this.onLaneLost(lane, error);
      return lane;
    });
    this.takes = new Int32Array(this.lanes.length);
    this.progress = createProgress(options.progress ?? 'auto', {
      totalEvents: Number.isFinite(this.plannedTotal) ? this.plannedTotal : null,
      durationSec: options.durationSec,
      label: options.progressLabel,
    });
  }

  run(): Promise<PublishOutcome> {
    return new Promise<void>((resolve) => {
      this.resolveRun = resolve;
      this.t0Us = this.clock.nowUs();
      this.scheduler.start(this.t0Us);
      this.onStart?.(this.t0Us);
      this.lastReplyUs = this.t0Us;
      this.lastAckUs = this.t0Us;
      if (this.signal?.aborted) this.stop('aborted', null);
      this.signal?.addEventListener('abort', this.onAbort);
      this.tick();
    }).then(() => this.outcome());
  }

  private readonly onAbort = (): void => {
    this.stop('aborted', null);
    this.wake();
  };

  private readonly tick = (): void => {
    this.timer = null;
    this.immediate = null;
    if (this.finished) return;
    const nowUs = this.clock.nowUs();
    if (this.inFlight === 0) {
      this.lastReplyUs = nowUs;
    } else if (nowUs - this.lastReplyUs > this.replyTimeoutUs) {
      this.giveUpOnStall();
      return;
    }
    if (!this.stopping) {
      if (this.scheduler.expired(nowUs)) this.stop('completed', null);
      else this.dispatch(nowUs);
      if (this.next >= this.plannedTotal) this.stop('completed', null);
    }
    this.progress.update(this.published, this.failedSequences.length, nowUs - this.t0Us);
    if (this.stopping) {
      if (this.inFlight === 0) this.finish();
      else this.timer = setTimeout(this.tick, STALL_CHECK_MS);
      return;
    }
    this.scheduleTick(nowUs);
  };

  private scheduleTick(nowUs: number): void {
    if (this.waitingForCapacity) {
      // A reply frees room and wakes us; the timer only watches for a stall.
      this.timer = setTimeout(this.tick, STALL_CHECK_MS);
    } else {
      const waitUs = this.scheduler.waitUs(nowUs, this.next);
      if (waitUs <= SPIN_WINDOW_US) this.immediate = setImmediate(this.tick);
      else
        this.timer = setTimeout(
          this.tick,
          Math.min(MAX_SLEEP_MS, Math.max(1, Math.floor(waitUs / 1000))),
        );
    }
  }

  /** Runs the next tick now (a reply freed room, or the run was aborted). */
  private wake(): void {
    if (this.immediate !== null || this.finished) return;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.immediate = setImmediate(this.tick);
  }

  /** Sends what the scheduler wants now, as far as the connections have room, over the lanes. */
  private dispatch(nowUs: number): void {
    const lanes = this.lanes;
    const laneCount = lanes.length;
    const wanted = this.scheduler.wanted(nowUs, this.next, laneCount);
    const minBatch = this.scheduler.minBatch(wanted, lanes[0]!.inFlight.length);
    let free = 0;
    let ready = 0;
    for (let l = 0; l < laneCount; l++) {
      const laneFree = lanes[l]!.free;
      if (laneFree >= minBatch) {
        free += laneFree;
        ready++;
      }
    }
    this.waitingForCapacity = wanted > free;
    if (ready === 0 || wanted <= 0) return;

    // Plan each lane's share first, so the scheduler is told exactly what goes out.
    const perLane = Math.ceil(Math.min(wanted, free) / ready);
    const takes = this.takes;
    let count = 0;
    let cursor = this.laneCursor;
    for (let visited = 0; visited < laneCount; visited++) {
      const lane = lanes[cursor]!;
      const laneFree = lane.free;
      const take = laneFree >= minBatch ? Math.min(perLane, laneFree, wanted - count) : 0;
      takes[cursor] = take;
      count += take;
      cursor = cursor + 1 === laneCount ? 0 : cursor + 1;
    }
    this.scheduler.dispatching(nowUs, this.next, count, this.lag);
    if (count > 0) this.lastSendUs = nowUs;
    for (let visited = 0; visited < laneCount; visited++) {
      const take = takes[cursor]!;
      if (take > 0) {
        this.sendBatch(lanes[cursor]!, this.next, take);
        this.next += take;
      }
      cursor = cursor + 1 === laneCount ? 0 : cursor + 1;
    }
    // Start the next tick at the following lane, so single-event ticks rotate over connections.
    this.laneCursor = cursor + 1 === laneCount ? 0 : cursor + 1;
    this.inFlight += count;
  }

  private sendBatch(lane: Lane, fromIndex: number, count: number): void {
    const encoder = this.encoder;
    const scheduler = this.scheduler;
    const firstSequence = this.firstSequence;
    const shard = lane.shard;
    for (let index = fromIndex; index < fromIndex + count; index++) {
      encoder.add(firstSequence + index, shard, scheduler.intendedUs(index));
      lane.push(index);
    }
    const batch = encoder.take();
    lane.connection.write(batch, () => encoder.recycle(batch));
  }

  private onReply(lane: Lane, error: string | undefined, receivedUs: number): void {
    if (lane.size === 0) return;
    const index = lane.shift();
    this.inFlight--;
    this.lastReplyUs = receivedUs;
    if (error === undefined) {
      this.published++;
      this.countPublished(receivedUs);
      this.recordLatency(receivedUs - this.scheduler.intendedUs(index));
      if (receivedUs > this.lastAckUs) this.lastAckUs = receivedUs;
    } else {
      this.failedSequences.push(this.firstSequence + index);
      this.stopMessage ??= `XADD failed: ${error}`;
    }
    if (this.inFlight === 0 && this.stopping) this.wake();
    else if (this.waitingForCapacity) {
      this.waitingForCapacity = false;
      this.wake();
    }
  }

  /**
   * Replies that arrive in one chunk share their receive time, and at rate 0 the events of one
   * batch share their intended time: equal latencies come in runs, and a run is recorded as one
   * value with its count (the histogram is the same as recording each).
   */
  private recordLatency(latencyUs: number): void {
    if (latencyUs === this.latencyRunUs) {
      this.latencyRunCount++;
      return;
    }
    this.flushLatencyRun();
    this.latencyRunUs = latencyUs;
    this.latencyRunCount = 1;
  }

  private flushLatencyRun(): void {
    if (this.latencyRunCount > 0) recordUs(this.latency, this.latencyRunUs, this.latencyRunCount);
    this.latencyRunCount = 0;
  }

  private countPublished(receivedUs: number): void {
    const second = Math.max(0, Math.floor((receivedUs - this.t0Us) / 1_000_000));
    const perSecond = this.publishedPerSecond;
    while (perSecond.length <= second) perSecond.push(0);
    perSecond[second]!++;
  }

  private onLaneLost(lane: Lane, error: Error): void {
    if (this.finished) return;
    this.failLane(lane);
    this.stop('connection-lost', `lost the connection to Redis: ${error.message}`);
    this.wake();
  }

  private failLane(lane: Lane): void {
    lane.lost = true;
    while (lane.size > 0) {
      this.failedSequences.push(this.firstSequence + lane.shift());
      this.inFlight--;
    }
  }

  private giveUpOnStall(): void {
    const waitedMs = Math.round(this.replyTimeoutUs / 1000);
    this.stop(
      'stalled',
      `Redis answered nothing for ${waitedMs} ms; gave up on what was in flight`,
    );
    for (const lane of this.lanes) {
      lane.connection.destroy();
      this.failLane(lane);
    }
    this.finish();
  }

  private stop(reason: PublishStopReason, message: string | null): void {
    // A failure while draining a completed run still names the failure.
    if (this.stopping && !(this.stopReason === 'completed' && reason !== 'completed')) return;
    this.stopping = true;
    this.stopReason = reason;
    if (message !== null) this.stopMessage = message;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.progress.stop(this.published, this.failedSequences.length, this.lastAckUs - this.t0Us);
    this.resolveRun?.();
  }

  private outcome(): PublishOutcome {
    this.flushLatencyRun();
    const elapsedUs = this.lastAckUs - this.t0Us;
    // The rate offered is the publisher's own: events over the time their sends took. Sent on
    // schedule, N events span (N - 1) slots. It once ran to the last acknowledgement, so one slow
    // XADD at the end (30 ms in a 3 s trial at 100/s) failed the 99% check of a trial whose every
    // send was on time; a publisher that falls behind sends late, and its rate drops all the same.
    const sendSpanUs = this.lastSendUs - this.t0Us;
    const achievedRatePerSec =
      this.next > 1 && sendSpanUs > 0
        ? ((this.next - 1) * 1e6) / sendSpanUs
        : elapsedUs > 0
          ? (this.published * 1e6) / elapsedUs
          : 0;
    const figures: PublisherFigures = {
      published: this.published,
      errors: this.failedSequences.length,
      targetRatePerSec: this.targetRatePerSec,
      achievedRatePerSec: Math.round(achievedRatePerSec * 100) / 100,
      rateMet: this.scheduler.rateMet(achievedRatePerSec),
      elapsedMs: Math.round(elapsedUs) / 1000,
      xaddLatencyMs: summarizeMs(this.latency),
      xaddHistogram: encodeHistogram(this.latency),
      scheduleLagMs: summarizeMs(this.lag),
    };
    const attempted = this.next;
    const firstSequence = this.firstSequence;
    return {
      figures,
      t0Us: this.t0Us,
      attempted,
      publishedPerSecond: [...this.publishedPerSecond],
      failedSequences: this.failedSequences.sort((a, b) => a - b),
      stopReason: this.stopReason,
      stopMessage: this.stopMessage,
      intendedSendUs: (sequence: number): number => {
        const index = sequence - firstSequence;
        if (!Number.isInteger(index) || index < 0 || index >= attempted) {
          throw new RangeError(`sequence ${sequence} was not dispatched by this run`);
        }
        return this.scheduler.intendedUs(index);
      },
    };
  }
}
