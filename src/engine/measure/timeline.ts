import { createHistogram, recordUs, summarizeMs, type Histogram } from './histogram.js';
import { TIMELINE_MAX_POINTS, type Timeline } from './result.js';

/**
 * Per-second bookkeeping of one measured trial (the result's `timeline`, schema in result.ts).
 *
 * Seconds count from the publisher's slot 0 (its first scheduled send), on the monotonic clock
 * both sides read. The receiver records each unique delivery into the interval histogram of the
 * second it arrived in, beside its whole-run histogram; when a later second starts, the interval
 * before last is summarised (p50, p99, max) and its histogram reused, so a trial of any length
 * holds two interval histograms. Handlers run slightly out of order, so a delivery may be handled
 * after one of the next second; one that falls further behind than that (its interval already
 * summarised) is counted in its second, and its latency is in the trial's histograms only.
 */

const US_PER_SEC = 1_000_000;

/** One second's delivered latencies, ms. */
export interface IntervalLatency {
  p50: number;
  p99: number;
  max: number;
}

/** What the receiver saw, second by second: deliveries and their latency (null: none). */
export interface DeliverySeconds {
  counts: number[];
  latencyMs: (IntervalLatency | null)[];
}

function summarize(histogram: Histogram): IntervalLatency | null {
  if (histogram.totalCount === 0) return null;
  const { p50, p99, max } = summarizeMs(histogram);
  return { p50, p99, max };
}

export class IntervalRecorder {
  private readonly counts: number[] = [];
  private readonly closed: (IntervalLatency | null)[] = [];
  /** The newest second seen; `current` holds it and `previous` the one before. */
  private second = 0;
  private current: Histogram = createHistogram();
  private previous: Histogram = createHistogram();

  /** `originUs`: monotonic µs of second 0. */
  constructor(readonly originUs: number) {}

  /** One delivery received at `receivedUs` (monotonic µs) with this end-to-end latency. */
  record(receivedUs: number, latencyUs: number): void {
    const second = Math.max(0, Math.floor((receivedUs - this.originUs) / US_PER_SEC));
    while (this.counts.length <= second) this.counts.push(0);
    this.counts[second]!++;
    if (second > this.second) this.advance(second);
    if (second === this.second) recordUs(this.current, latencyUs);
    else if (second === this.second - 1) recordUs(this.previous, latencyUs);
  }

  /** A copy of the seconds so far, the open intervals included; recording can go on. */
  seconds(): DeliverySeconds {
    const latencyMs: (IntervalLatency | null)[] = this.counts.map(
      (_, second) => this.closed[second] ?? null,
    );
    if (this.second - 1 >= 0 && this.second - 1 < latencyMs.length) {
      latencyMs[this.second - 1] = summarize(this.previous);
    }
    if (this.second < latencyMs.length) latencyMs[this.second] = summarize(this.current);
    return { counts: [...this.counts], latencyMs };
  }

  private advance(second: number): void {
    this.close(this.second - 1, this.previous);
    if (second === this.second + 1) {
      const reused = this.previous;
      this.previous = this.current;
      this.current = reused;
    } else {
      this.close(this.second, this.current);
    }
    this.second = second;
  }

  private close(second: number, histogram: Histogram): void {
    if (second >= 0) {
      while (this.closed.length <= second) this.closed.push(null);
      this.closed[second] = summarize(histogram);
    }
    histogram.reset();
  }
}

/** Everything a trial's timeline is made of; the times are µs after second 0. */
export interface TimelineInput {
  /** From second 0 to the end of the drain. */
  durationUs: number;
  /** From second 0 to the last XADD acknowledged. */
  publishEndUs: number;
  /** Events acknowledged by Redis in each second. */
  publishedPerSecond: readonly number[];
  deliveries: DeliverySeconds;
  /** Webhooks owed for the first `events` events (the endpoints each one matches). */
  pairsOfFirst(events: number): number;
}

/** One point of the timeline before rounding: counts over `seconds` seconds. */
interface Point {
  seconds: number;
  published: number;
  delivered: number;
  latency: IntervalLatency | null;
  backlog: number;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
/** 0.01 ms below 10 ms, 0.1 ms above: enough for a chart, short in the file. */
const roundMs = (value: number): number =>
  value >= 10 ? round1(value) : Math.round(value * 100) / 100;

/**
 * The trial's timeline: one point per second from second 0 to the end of the drain, or, when
 * that is more than `maxPoints` seconds, adjacent seconds merged into buckets of
 * ceil(seconds / maxPoints) seconds: counts are added (rates stay per second), the backlog is the
 * bucket's last second's, p99 and max are the worst second's (a stall stays visible) and p50 is
 * the median of the seconds' p50 weighted by their deliveries.
 */
export function buildTimeline(
  input: TimelineInput,
  maxPoints: number = TIMELINE_MAX_POINTS,
): Timeline {
  const length = Math.max(
    Math.ceil(input.durationUs / US_PER_SEC),
    input.publishedPerSecond.length,
    input.deliveries.counts.length,
    1,
  );
  const seconds: Point[] = [];
  let published = 0;
  let delivered = 0;
  for (let second = 0; second < length; second++) {
    const publishedNow = input.publishedPerSecond[second] ?? 0;
    const deliveredNow = input.deliveries.counts[second] ?? 0;
    published += publishedNow;
    delivered += deliveredNow;
    seconds.push({
      seconds: 1,
      published: publishedNow,
      delivered: deliveredNow,
      latency: input.deliveries.latencyMs[second] ?? null,
      backlog: Math.max(input.pairsOfFirst(published) - delivered, 0),
    });
  }
  const bucketSec = Math.max(1, Math.ceil(length / Math.max(1, maxPoints)));
  const points: Point[] = [];
  for (let start = 0; start < length; start += bucketSec) {
    points.push(mergePoints(seconds.slice(start, start + bucketSec)));
  }
  return {
    bucketSec,
    publishEndSec: round1(Math.max(input.publishEndUs, 0) / US_PER_SEC),
    publishedPerSec: points.map((point) => round1(point.published / point.seconds)),
    deliveredPerSec: points.map((point) => round1(point.delivered / point.seconds)),
    p50Ms: points.map((point) => (point.latency ? roundMs(point.latency.p50) : null)),
    p99Ms: points.map((point) => (point.latency ? roundMs(point.latency.p99) : null)),
    maxMs: points.map((point) => (point.latency ? roundMs(point.latency.max) : null)),
    backlog: points.map((point) => point.backlog),
  };
}

function mergePoints(points: readonly Point[]): Point {
  if (points.length === 1) return points[0]!;
  const withLatency = points.filter(
    (point): point is Point & { latency: IntervalLatency } => point.latency !== null,
  );
  let latency: IntervalLatency | null = null;
  if (withLatency.length > 0) {
    const byP50 = [...withLatency].sort((a, b) => a.latency.p50 - b.latency.p50);
    const half = byP50.reduce((total, point) => total + point.delivered, 0) / 2;
    let seen = 0;
    let p50 = byP50[byP50.length - 1]!.latency.p50;
    for (const point of byP50) {
      seen += point.delivered;
      if (seen >= half) {
        p50 = point.latency.p50;
        break;
      }
    }
    latency = {
      p50,
      p99: Math.max(...withLatency.map((point) => point.latency.p99)),
      max: Math.max(...withLatency.map((point) => point.latency.max)),
    };
  }
  return {
    seconds: points.length,
    published: points.reduce((total, point) => total + point.published, 0),
    delivered: points.reduce((total, point) => total + point.delivered, 0),
    latency,
    backlog: points[points.length - 1]!.backlog,
  };
}
