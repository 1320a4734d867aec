import { describe, expect, it } from 'vitest';
import { createHistogram, recordUs, type Histogram } from '../engine/measure/histogram.js';
import { seededRandom } from '../engine/random.js';
import { blockBootstrapLogVariance } from './paired-blocks.js';

/** One trial: `blocks` blocks of `perBlock` lognormal latencies around 2 ms (sigma 0.3). */
function trial(random: () => number, blocks: number, perBlock: number, scale = 1): Histogram[] {
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: blocks }, () => {
    const histogram = createHistogram();
    for (let i = 0; i < perBlock; i++) recordUs(histogram, scale * 2000 * Math.exp(0.3 * normal()));
    return histogram;
  });
}

function merged(blocks: Histogram[]): Histogram {
  const histogram = createHistogram();
  for (const block of blocks) histogram.add(block);
  return histogram;
}

describe('blockBootstrapLogVariance', () => {
  it('estimates the real trial-to-trial variance of a p50 ratio (A/A, known by simulation)', () => {
    const random = seededRandom(7);
    // The truth: the variance of ln(p50 head / p50 base) across many independent trial pairs.
    const truths: number[] = [];
    for (let i = 0; i < 150; i++) {
      const head = merged(trial(random, 10, 100)).getValueAtPercentile(50);
      const base = merged(trial(random, 10, 100)).getValueAtPercentile(50);
      truths.push(Math.log(head / base));
    }
    const truthMean = truths.reduce((a, b) => a + b, 0) / truths.length;
    const truth = truths.reduce((a, b) => a + (b - truthMean) ** 2, 0) / (truths.length - 1);
    // The estimate from single trial pairs, averaged over a few so the test is not luck.
    const estimates: number[] = [];
    for (let i = 0; i < 6; i++) {
      const variance = blockBootstrapLogVariance(
        trial(random, 10, 100),
        trial(random, 10, 100),
        [50],
        {
          replicates: 150,
          random,
        },
      );
      estimates.push(variance!.get(50)!);
    }
    const estimate = estimates.reduce((a, b) => a + b, 0) / estimates.length;
    expect(estimate / truth).toBeGreaterThan(0.5);
    expect(estimate / truth).toBeLessThan(2);
  });

  it('sees no noise in a ratio that is exact in every block', () => {
    const random = seededRandom(3);
    const raw = Array.from({ length: 8 }, () =>
      Array.from({ length: 50 }, () => 1000 + 3000 * random()),
    );
    const record = (scale: number) =>
      raw.map((values) => {
        const histogram = createHistogram();
        for (const value of values) recordUs(histogram, value * scale);
        return histogram;
      });
    // The head is the base with every event exactly twice as slow: every resample has ratio 2.
    const variance = blockBootstrapLogVariance(record(2), record(1), [50, 99], { random })!;
    expect(variance.get(50)!).toBeLessThan(1e-5);
    expect(variance.get(99)!).toBeLessThan(1e-5);
  });

  it('says nothing from too few blocks and refuses unpaired blocks', () => {
    const random = seededRandom(1);
    expect(blockBootstrapLogVariance(trial(random, 3, 10), trial(random, 3, 10), [50])).toBeNull();
    expect(() =>
      blockBootstrapLogVariance(trial(random, 4, 10), trial(random, 5, 10), [50]),
    ).toThrow(/head 4, base 5/);
  });
});
