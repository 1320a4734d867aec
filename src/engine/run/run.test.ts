import { describe, expect, it } from 'vitest';
import { LOAD_TEST_ENDPOINTS } from '../../stack/contracts.js';
import { EventGenerator, parseMix } from '../events/generator.js';
import { summarizeMs, createHistogram } from '../measure/histogram.js';
import type { DeliveryFigures, PublisherFigures } from '../measure/result.js';
import type { SeededEndpoint } from '../../stack/seeder.js';
import { absoluteChecks, expectedDeliveries, MAX_SCHEDULE_LAG_P99_MS, validity } from './run.js';

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

describe('expectedDeliveries', () => {
  const generator = new EventGenerator({ chainId: 11155111, runId: '0123456789abcdef', seed: 3 });

  it('expects one delivery per event under the default mix, to the endpoint of its contract', () => {
    const expected = expectedDeliveries(generator, endpoints, 500, new Set());
    expect(expected).toHaveLength(500);
    for (const { endpointIndex, sequence } of expected) {
      expect(endpoints[endpointIndex]!.contractAddresses![0]).toBe(
        generator.kindOf(sequence).address,
      );
    }
  });

  it('skips events whose XADD failed', () => {
    expect(expectedDeliveries(generator, endpoints, 500, new Set([0, 1, 2]))).toHaveLength(497);
  });

  it('applies the SUT rule: inactive endpoints and other chains expect nothing, two matching endpoints expect two', () => {
    const usdcOnly = new EventGenerator({
      chainId: 11155111,
      runId: '0123456789abcdef',
      seed: 3,
      mix: parseMix('usdc=1'),
    });
    const twice = [...endpoints, { ...endpoints[0]!, id: 'second-usdc' }];
    expect(expectedDeliveries(usdcOnly, twice, 10, new Set())).toHaveLength(20);
    const inactive = endpoints.map((e) => ({ ...e, isActive: false }));
    expect(expectedDeliveries(usdcOnly, inactive, 10, new Set())).toHaveLength(0);
    const otherChain = endpoints.map((e) => ({ ...e, chainIds: [1] }));
    expect(expectedDeliveries(usdcOnly, otherChain, 10, new Set())).toHaveLength(0);
  });
});

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
