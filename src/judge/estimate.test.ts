import { describe, expect, it } from 'vitest';
import { makeRunResult } from '../compare/fixtures.js';
import { METRICS } from '../compare/metrics.js';
import { pairedEstimates, roundRatio } from './estimate.js';
import { trialOfRun } from './figures.js';

/** A trial of 1,000 deliveries at 10 ms, `slow` of them at 100 ms. */
const trial = (slow: number) =>
  trialOfRun(
    makeRunResult({
      samplesMs: Array.from({ length: 1000 }, (_, index) => (index < slow ? 100 : 10)),
    }),
  );

describe("a paired round's tail: every delivery of its trials", () => {
  // The head's start: one trial with 45 slow deliveries, two with none. 45 of 3,000 is 1.5%, so
  // the start's p99 is 100 ms; the median of its trials' p99s would say 10 ms, as the base's.
  const base = [trial(0), trial(0), trial(0)];
  const head = [trial(45), trial(0), trial(0)];

  it('reads a round ratio from the trials pooled, not from the median trial', () => {
    expect(roundRatio(METRICS.p99, base, head)).toBeCloseTo(10, 1);
    expect(roundRatio(METRICS.p50, base, head)).toBeCloseTo(1, 2);
  });

  it('is what the paired estimate reads from each round', () => {
    const estimates = pairedEstimates([
      { base, head },
      { base, head },
      { base, head },
    ]);
    expect(estimates.get('p99')?.ratio).toBeCloseTo(10, 1);
    expect(estimates.get('p50')?.ratio).toBeCloseTo(1, 2);
  });
});
