import { MAX_STOLEN_CPU_SHARE } from '../measure/steal.js';
import { describe, expect, it } from 'vitest';
import { EventGenerator, DEFAULT_MIX } from '../events/generator.js';
import { summarizeMs, createHistogram, decodeHistogram, recordUs } from '../measure/histogram.js';
import {
  NO_FAULTS,
  type DeliveryFigures,
  type PublisherFigures,
  type RunResult,
} from '../measure/result.js';
import { IntervalRecorder } from '../measure/timeline.js';
import { emptyCounts } from '../receiver/metrics.js';
import type { ReceiverSnapshot } from '../receiver/receiver.js';
import { seededEndpointsFixture } from '../../stack/fixtures.js';
import { ExpectedPairs } from './expected.js';
import {
  absoluteChecks,
  buildRunResult,
  disturbance,
  MAX_SCHEDULE_LAG_P99_MS,
  validity,
  type Measurement,
  type ResultContext,
} from './result.js';

const endpoints = seededEndpointsFixture();

const empty = summarizeMs(createHistogram());

function publisher(overrides: Partial<PublisherFigures>): PublisherFigures {
  return {
    published: 1000,
    errors: 0,
    targetRatePerSec: 500,
    achievedRatePerSec: 500,
    rateMet: true,
    elapsedMs: 2000,
    xaddLatencyMs: empty,
    xaddHistogram: '',
    scheduleLagMs: { ...empty, p99: 1 },
    ...overrides,
  };
}

describe('validity', () => {
  it('is valid when the rate was met without lag or errors', () => {
    expect(validity(publisher({}), { ratePerSec: 500 })).toEqual({ valid: true, reasons: [] });
  });

  it('says why a run is invalid', () => {
    const result = validity(
      publisher({
        rateMet: false,
        achievedRatePerSec: 400,
        errors: 3,
        scheduleLagMs: { ...empty, p99: MAX_SCHEDULE_LAG_P99_MS + 1 },
      }),
      { ratePerSec: 500 },
    );
    expect(result.valid).toBe(false);
    expect(result.reasons).toHaveLength(3);
    expect(result.reasons[0]).toContain('achieved 400.0/s of the 500/s target');
    expect(result.reasons[1]).toContain('lag p99');
    expect(result.reasons[2]).toContain('3 XADD errors');
  });

  it('is invalid when the hypervisor stole more than the limit of the CPU time, and says how much', () => {
    const disturbed = validity(publisher({}), { ratePerSec: 500 }, 0, 0.124);
    expect(disturbed.valid).toBe(false);
    expect(disturbed.reasons).toEqual([
      "the hypervisor gave 12.4% of this runner's CPU time to other guests during the trial (steal; limit 5.0%): the host's other tenants, not the SUT, set the numbers",
    ]);
    expect(validity(publisher({}), { ratePerSec: 500 }, 0, MAX_STOLEN_CPU_SHARE)).toEqual({
      valid: true,
      reasons: [],
    });
    // Not measured (not Linux): no reason either way.
    expect(validity(publisher({}), { ratePerSec: 500 }, 0, null).valid).toBe(true);
  });

  it('is invalid when fewer events were published than asked, though rate and errors look clean', () => {
    // A Redis restart mid-trial: 90 of 400 acknowledged, nothing in flight, so no XADD error.
    const short = validity(publisher({ published: 90 }), { ratePerSec: 100 }, 0, null, 400);
    expect(short.valid).toBe(false);
    expect(short.reasons).toEqual([
      'published 90 of the 400 events asked: the trial stopped early',
    ]);
  });
});

describe('disturbance', () => {
  it("names steal above the limit, and a load generator that fell behind, as the machine's doing", () => {
    // disturbance reads the publisher and the runner figures only.
    const run = { publisher: publisher({}) } as RunResult;
    expect(disturbance(run)).toBeNull();
    expect(disturbance({ ...run, runner: { stolenCpuShare: MAX_STOLEN_CPU_SHARE } })).toBeNull();
    expect(disturbance({ ...run, runner: { stolenCpuShare: 0.12 } })).toEqual({ steal: true });
    expect(disturbance({ ...run, publisher: { ...run.publisher, rateMet: false } })).toEqual({
      steal: false,
    });
    expect(disturbance({ ...run, publisher: { ...run.publisher, errors: 2 } })).toEqual({
      steal: false,
    });
    expect(
      disturbance({
        ...run,
        publisher: {
          ...run.publisher,
          scheduleLagMs: { ...run.publisher.scheduleLagMs, p99: MAX_SCHEDULE_LAG_P99_MS + 1 },
        },
      }),
    ).toEqual({ steal: false });
  });

  it('leaves out a latency sample out of range: a setup fault that measuring again repeats', () => {
    const run = { publisher: publisher({}), delivery: { latencyOutOfRange: 3 } } as RunResult;
    expect(
      disturbance({
        ...run,
        validity: { valid: false, reasons: ['3 latency samples out of range'] },
      }),
    ).toBeNull();
  });
});

describe('absoluteChecks', () => {
  const thresholds = {
    maxAvgLatencyMs: 500,
    excellentThroughputPerSec: 1000,
    goodThroughputPerSec: 500,
  };
  const delivery = (mean: number, throughputPerSec: number, expected = 10): DeliveryFigures =>
    ({
      delivered: 10,
      expected,
      throughputPerSec,
      latencyMs: { ...empty, mean },
    }) as DeliveryFigures;

  it("keeps the original tool's verdicts, worded as fixed limits", () => {
    expect(
      absoluteChecks(delivery(120, 1500), { thresholds }).map((c) => [c.passed, c.detail]),
    ).toEqual([
      [true, '120.0 ms: under the 500 ms limit'],
      [true, '1500.0/s: excellent (good from 500/s, excellent above 1000/s)'],
    ]);
    expect(absoluteChecks(delivery(600, 700), { thresholds })[0]).toMatchObject({
      passed: false,
      detail: '600.0 ms: not under the 500 ms limit',
    });
    expect(absoluteChecks(delivery(100, 700), { thresholds })[1]!.detail).toContain('good');
    expect(absoluteChecks(delivery(100, 300), { thresholds })[1]).toMatchObject({ passed: false });
    expect(absoluteChecks(delivery(100, 300), { thresholds })[1]!.detail).toContain(
      'needs improvement',
    );
  });

  it('never judges a run paced at R below R by rounding', () => {
    // 500 events/s, one delivery per event: 499.x/s delivered is the pace, kept.
    for (const achieved of [499.01, 499.4, 499.6, 499.99, 500, 500.3]) {
      const [, throughput] = absoluteChecks(delivery(50, achieved, 5000), {
        thresholds,
        ratePerSec: 500,
        published: 5000,
      });
      expect(throughput, String(achieved)).toMatchObject({ passed: true });
      expect(throughput!.detail).toMatch(/kept up with its pace of 500\.0\/s: good/);
      expect(throughput!.detail).not.toContain('needs improvement');
    }
    // Fan-out: 2 deliveries per event at 500 events/s allow 1000 deliveries/s.
    expect(
      absoluteChecks(delivery(50, 995, 10_000), {
        thresholds,
        ratePerSec: 500,
        published: 5000,
      })[1]!.detail,
    ).toContain('kept up with its pace of 1000.0/s: good');
    // Well below the pace is still below: the SUT could not keep up.
    expect(
      absoluteChecks(delivery(50, 450, 5000), { thresholds, ratePerSec: 500, published: 5000 })[1],
    ).toMatchObject({
      passed: false,
      detail: expect.stringContaining('below its pace of 500.0/s'),
    });
    // Paced below the marks: nothing to grade, and nothing failed.
    expect(
      absoluteChecks(delivery(50, 99.5, 1000), { thresholds, ratePerSec: 100, published: 1000 })[1],
    ).toMatchObject({ passed: true, detail: expect.stringContaining('not graded') });
  });
});

describe('buildRunResult', () => {
  const generator = new EventGenerator({ chainId: 11155111, runId: '0123456789abcdef', seed: 3 });
  const DELIVERED_LATENCY_US = 2_000;
  const T0_US = 1_000_000;
  const END_US = T0_US + 5_000_000;
  const intendedSendUs = (sequence: number): number => T0_US + sequence * 10_000;
  const context: ResultContext = {
    scenario: 'quick',
    ratePerSec: 100,
    concurrency: 1,
    chainId: 11155111,
    seed: 3,
    mix: DEFAULT_MIX,
    warmupEvents: 0,
    drainTimeoutMs: 1_000,
    thresholds: {
      maxAvgLatencyMs: 500,
      excellentThroughputPerSec: 1000,
      goodThroughputPerSec: 500,
    },
    environment: {
      cpuModel: 'test',
      cpuCores: 2,
      memoryGiB: 4,
      os: 'linux',
      arch: 'x64',
      nodeVersion: 'v20',
      redisVersion: null,
      postgresVersion: null,
    },
    faults: NO_FAULTS,
  };

  /**
   * What a receiver saw of 100 published events: every expected pair delivered except `lost`
   * (never arrived) and `rejected` (turned away by an injected 400), plus `misrouted` validly
   * signed deliveries to an endpoint that does not match the event.
   */
  function measure(options: {
    lost: number[];
    rejected: number[];
    misrouted: number[];
    timeline?: boolean;
  }) {
    const expected = new ExpectedPairs(generator, endpoints);
    expected.settle(100, []);
    const home = (sequence: number): string => endpoints[expected.endpointsOf(sequence)[0]!]!.id;
    const wrong = (sequence: number): string =>
      endpoints[(expected.endpointsOf(sequence)[0]! + 1) % endpoints.length]!.id;
    const snapshot: ReceiverSnapshot = {
      counts: emptyCounts(),
      latency: createHistogram(),
      latencyOutOfRange: 0,
      perEndpoint: new Map(
        endpoints.map((endpoint) => [
          endpoint.id,
          {
            name: endpoint.name,
            counts: emptyCounts(),
            latency: createHistogram(),
            latencyOutOfRange: 0,
          },
        ]),
      ),
      firstReceiveUs: T0_US + 1_000,
      lastReceiveUs: T0_US + 2_000_000,
      seconds: null,
    };
    const recorder = new IntervalRecorder(T0_US);
    const delivered = new Set<string>();
    const rejected = new Set<string>();
    for (let sequence = 0; sequence < 100; sequence++) {
      const id = home(sequence);
      if (options.rejected.includes(sequence)) rejected.add(`${id}/${sequence}`);
      if (options.lost.includes(sequence) || options.rejected.includes(sequence)) continue;
      delivered.add(`${id}/${sequence}`);
      snapshot.counts.delivered++;
      snapshot.perEndpoint.get(id)!.counts.delivered++;
      recordUs(snapshot.latency, DELIVERED_LATENCY_US);
      recordUs(snapshot.perEndpoint.get(id)!.latency, DELIVERED_LATENCY_US);
      recorder.record(intendedSendUs(sequence) + DELIVERED_LATENCY_US, DELIVERED_LATENCY_US);
    }
    if (options.timeline) snapshot.seconds = recorder.seconds();
    for (const sequence of options.misrouted) {
      const id = wrong(sequence);
      delivered.add(`${id}/${sequence}`);
      snapshot.counts.unexpected++;
      snapshot.perEndpoint.get(id)!.counts.unexpected++;
    }
    const measurement: Measurement = {
      runId: generator.runId,
      startedAt: '2026-11-29T20:00:00.000Z',
      finishedAt: '2026-11-29T20:00:05.000Z',
      shape: { events: 100, durationSec: null },
      publisher: publisher({ published: 100, targetRatePerSec: 100, achievedRatePerSec: 100 }),
      t0Us: T0_US,
      ...(options.timeline ? { publishedPerSecond: [100] } : {}),
      intendedSendUs,
      expected,
      received: {
        snapshot,
        delivered: (endpointId, sequence) => delivered.has(`${endpointId}/${sequence}`),
        rejected: (endpointId, sequence) => rejected.has(`${endpointId}/${sequence}`),
      },
      endUs: END_US,
      drainMs: 1_000,
      drainEnded: 'idle-timeout',
    };
    return buildRunResult(measurement, context);
  }

  it('counts per expected pair: misrouted deliveries are unexpected and cannot hide losses', () => {
    // Before, delivered was every valid delivery (100 - 13 + 25 = 112 of 100): lost 0, 112%.
    const misrouted = Array.from({ length: 25 }, (_, i) => 50 + i);
    const lost = Array.from({ length: 13 }, (_, i) => i);
    const { delivery, endpoints: perEndpoint } = measure({ lost, rejected: [], misrouted });
    expect(delivery).toMatchObject({ expected: 100, delivered: 87, lost: 13, unexpected: 25 });
    expect(delivery.successRate).toBe(0.87);
    expect(perEndpoint.reduce((sum, e) => sum + e.unexpected, 0)).toBe(25);
    expect(perEndpoint.reduce((sum, e) => sum + e.lost, 0)).toBe(13);
  });

  it('never shows a success rate above 100%', () => {
    const misrouted = Array.from({ length: 40 }, (_, i) => i);
    const { delivery } = measure({ lost: [], rejected: [], misrouted });
    expect(delivery.successRate).toBe(1);
    expect(delivery.unexpected).toBe(40);
  });

  it('charges every lost pair to the gated latency as end of drain - intended send time', () => {
    const { delivery } = measure({ lost: [0, 1], rejected: [], misrouted: [] });
    const histogram = decodeHistogram(delivery.latencyHistogram);
    expect(histogram.totalCount).toBe(100);
    expect(delivery.latencyMs.count).toBe(100);
    expect(delivery.latencyMs.max).toBeCloseTo((END_US - intendedSendUs(0)) / 1000, -1);
    expect(delivery.deliveredLatencyMs?.count).toBe(98);
    expect(delivery.deliveredLatencyMs?.max).toBeCloseTo(DELIVERED_LATENCY_US / 1000, 1);
  });

  it('reports pairs the receiver rejected on purpose as such, not as lost or in the latency', () => {
    const { delivery } = measure({ lost: [], rejected: [3, 4, 5], misrouted: [] });
    expect(delivery).toMatchObject({ delivered: 97, lost: 0, rejectedOnPurpose: 3, unexpected: 0 });
    expect(delivery.latencyMs.count).toBe(97);
  });

  it('adds the timeline when the run recorded one: seconds from slot 0 to the end of drain', () => {
    expect(measure({ lost: [], rejected: [], misrouted: [] }).timeline).toBeUndefined();
    const { timeline } = measure({ lost: [0, 1], rejected: [], misrouted: [], timeline: true });
    // 100 events in the first second, one webhook each; the drain ends 5 s after slot 0.
    expect(timeline?.publishedPerSec).toEqual([100, 0, 0, 0, 0]);
    expect(timeline?.deliveredPerSec).toEqual([98, 0, 0, 0, 0]);
    expect(timeline?.backlog).toEqual([2, 2, 2, 2, 2]);
    expect(timeline?.p99Ms[0]).toBeCloseTo(DELIVERED_LATENCY_US / 1000, 1);
    expect(timeline?.publishEndSec).toBe(2);
  });
});
