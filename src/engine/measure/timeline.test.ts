import { describe, expect, it } from 'vitest';
import { buildTimeline, IntervalRecorder, type TimelineInput } from './timeline.js';

const ORIGIN_US = 5_000_000_000;
const at = (seconds: number): number => ORIGIN_US + Math.round(seconds * 1_000_000);

describe('IntervalRecorder', () => {
  it('puts each delivery in the second it arrived, with that second’s percentiles', () => {
    const recorder = new IntervalRecorder(ORIGIN_US);
    // Second 0: 100 deliveries of 1..100 ms; second 1: none; second 2: ten of 2,000 ms.
    for (let i = 1; i <= 100; i++) recorder.record(at(0.001 * i), i * 1000);
    for (let i = 0; i < 10; i++) recorder.record(at(2.1 + i * 0.01), 2_000_000);
    const { counts, latencyMs } = recorder.seconds();
    expect(counts).toEqual([100, 0, 10]);
    // HDR reports the top of a value's bucket (3 significant digits).
    expect(latencyMs[0]!.p50).toBeCloseTo(50, 1);
    expect(latencyMs[0]!.p99).toBeCloseTo(99, 1);
    expect(latencyMs[0]!.max).toBeCloseTo(100, 1);
    expect(latencyMs[1]).toBeNull();
    expect(latencyMs[2]!.p99).toBeCloseTo(2000, -1);
    expect(latencyMs[2]!.max).toBeCloseTo(2000, -1);
  });

  it('closes old intervals as time moves on, and takes a slightly late delivery into its second', () => {
    const recorder = new IntervalRecorder(ORIGIN_US);
    recorder.record(at(0.5), 1_000);
    recorder.record(at(1.5), 3_000);
    recorder.record(at(0.99), 2_000); // handled after a second-1 delivery: still second 0
    recorder.record(at(2.5), 5_000); // closes second 0
    recorder.record(at(9.5), 7_000); // jumps: closes 1 and 2
    recorder.record(at(2.9), 8_000); // too late for its interval: counted, no percentile
    const { counts, latencyMs } = recorder.seconds();
    expect(counts).toEqual([2, 1, 2, 0, 0, 0, 0, 0, 0, 1]);
    expect(latencyMs.map((latency) => latency?.max ?? null)).toEqual([
      2,
      3,
      5,
      null,
      null,
      null,
      null,
      null,
      null,
      7,
    ]);
    // Recording goes on after a look.
    recorder.record(at(9.6), 9_000);
    expect(recorder.seconds().latencyMs[9]!.max).toBe(9);
  });

  it('counts a delivery stamped before second 0 in second 0', () => {
    const recorder = new IntervalRecorder(ORIGIN_US);
    recorder.record(ORIGIN_US - 10, 1_000);
    expect(recorder.seconds().counts).toEqual([1]);
  });
});

/** A trial of `length` seconds publishing `rate`/s, 1 webhook per event, delivered the same second. */
function steady(length: number, rate: number): TimelineInput {
  return {
    durationUs: length * 1_000_000,
    publishEndUs: length * 1_000_000,
    publishedPerSecond: Array.from({ length }, () => rate),
    deliveries: {
      counts: Array.from({ length }, () => rate),
      latencyMs: Array.from({ length }, () => ({ p50: 5, p99: 9, max: 12 })),
    },
    pairsOfFirst: (events) => events,
  };
}

describe('buildTimeline', () => {
  it('has one point per second, the backlog owed at the end of each', () => {
    // 10 s at 100 events/s, 2 webhooks per event; deliveries stop in seconds 4-5 and catch up in 6.
    const published = Array.from({ length: 10 }, () => 100);
    const counts = [200, 200, 200, 200, 0, 0, 600, 200, 200, 200];
    const latencyMs = counts.map((count, second) =>
      count === 0 ? null : { p50: second === 6 ? 1500 : 4, p99: second === 6 ? 2100 : 8, max: 9 },
    );
    const timeline = buildTimeline({
      durationUs: 10_400_000,
      publishEndUs: 9_990_000,
      publishedPerSecond: published,
      deliveries: { counts, latencyMs },
      pairsOfFirst: (events) => events * 2,
    });
    expect(timeline.bucketSec).toBe(1);
    expect(timeline.publishEndSec).toBe(10);
    expect(timeline.publishedPerSec).toEqual([...published, 0]);
    expect(timeline.deliveredPerSec).toEqual([...counts, 0]);
    expect(timeline.backlog).toEqual([0, 0, 0, 0, 200, 400, 0, 0, 0, 0, 0]);
    expect(timeline.p99Ms).toEqual([8, 8, 8, 8, null, null, 2100, 8, 8, 8, null]);
    expect(timeline.p50Ms[6]).toBe(1500);
  });

  it('merges adjacent seconds beyond the cap, keeping rates per second and the worst p99', () => {
    const input = steady(1000, 50);
    input.deliveries.latencyMs[401] = { p50: 7, p99: 900, max: 1000 };
    const timeline = buildTimeline(input, 600);
    expect(timeline.bucketSec).toBe(2);
    expect(timeline.p99Ms).toHaveLength(500);
    expect(timeline.publishedPerSec.every((rate) => rate === 50)).toBe(true);
    expect(timeline.deliveredPerSec.every((rate) => rate === 50)).toBe(true);
    // Seconds 400 and 401 are point 200.
    expect(timeline.p99Ms[200]).toBe(900);
    expect(timeline.maxMs[200]).toBe(1000);
    expect(timeline.p50Ms[200]).toBe(5);
    expect(timeline.p99Ms[199]).toBe(9);
  });

  it('never exceeds the cap, and a short last bucket is a rate over its own seconds', () => {
    const timeline = buildTimeline(steady(1801, 10), 600);
    expect(timeline.bucketSec).toBe(4);
    expect(timeline.deliveredPerSec).toHaveLength(451);
    expect(timeline.deliveredPerSec[450]).toBe(10);
  });

  it('weights the merged p50 by deliveries', () => {
    const timeline = buildTimeline(
      {
        durationUs: 4_000_000,
        publishEndUs: 4_000_000,
        publishedPerSecond: [1, 1, 1, 1],
        deliveries: {
          counts: [1, 97, 1, 1],
          latencyMs: [
            { p50: 100, p99: 100, max: 100 },
            { p50: 3, p99: 4, max: 5 },
            { p50: 200, p99: 200, max: 200 },
            { p50: 300, p99: 300, max: 300 },
          ],
        },
        pairsOfFirst: (events) => events,
      },
      1,
    );
    expect(timeline.bucketSec).toBe(4);
    expect(timeline.p50Ms).toEqual([3]);
    expect(timeline.p99Ms).toEqual([300]);
    expect(timeline.deliveredPerSec).toEqual([25]);
  });
});
