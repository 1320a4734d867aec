import { describe, expect, it } from 'vitest';
import { LOAD_TEST_ENDPOINTS } from '../../stack/contracts.js';
import { EventGenerator, DEFAULT_MIX } from '../events/generator.js';
import { summarizeMs, createHistogram, decodeHistogram, recordUs } from '../measure/histogram.js';
import { NO_FAULTS, type DeliveryFigures, type PublisherFigures } from '../measure/result.js';
import { IntervalRecorder } from '../measure/timeline.js';
import { emptyCounts } from '../receiver/metrics.js';
import type { ReceiverSnapshot } from '../receiver/receiver.js';
import type { SeededEndpoint } from '../../stack/seeder.js';
import { ExpectedPairs } from './expected.js';
import {
  absoluteChecks,
  buildRunResult,
  MAX_SCHEDULE_LAG_P99_MS,
  validity,
  type Measurement,
  type ResultContext,
} from './result.js';

const endpoints: SeededEndpoint[] = LOAD_TEST_ENDPOINTS.map((spec, i) => ({
  id: `00000000-0000-0000-0000-00000000000${i}`,
  applicationId: 'app',
  name: spec.endpointName,
  secret: 'x'.repeat(64),
  webhookUrl: 'http://127.0.0.1/webhook',
  contractAddresses: [spec.contract],
  eventSignatures: spec.eventSignatures ? [...spec.eventSignatures] : null,
  chainIds: [11155111],
  isActive: true,
}));

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
});

describe('absoluteChecks', () => {
  const thresholds = {
    maxAvgLatencyMs: 500,
    excellentThroughputPerSec: 1000,
    goodThroughputPerSec: 500,
  };
  const delivery = (mean: number, throughputPerSec: number): DeliveryFigures =>
    ({ delivered: 10, throughputPerSec, latencyMs: { ...empty, mean } }) as DeliveryFigures;

  it("keeps the original tool's verdicts", () => {
    expect(
      absoluteChecks(delivery(120, 1500), { thresholds }).map((c) => [c.passed, c.detail]),
    ).toEqual([
      [true, '120.0 ms (must be under 500 ms)'],
      [true, '1500/s: excellent (excellent above 1000/s, good from 500/s)'],
    ]);
    expect(absoluteChecks(delivery(600, 700), { thresholds })[0]!.passed).toBe(false);
    expect(absoluteChecks(delivery(100, 700), { thresholds })[1]!.detail).toContain('good');
    expect(absoluteChecks(delivery(100, 300), { thresholds })[1]).toMatchObject({ passed: false });
    expect(absoluteChecks(delivery(100, 300), { thresholds })[1]!.detail).toContain(
      'needs improvement',
    );
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
      latencyBlocks: null,
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
