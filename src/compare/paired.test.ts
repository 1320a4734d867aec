import { describe, expect, it } from 'vitest';
import { seededRandom } from '../engine/random.js';
import {
  formatPairedChange,
  judgePaired,
  pairedEstimate,
  TAIL_AGREEING_ROUNDS,
  tQuantile975,
  type PairedRound,
} from './paired.js';

/** Rounds whose head/base ratios are exp(logRatios). */
const roundsOf = (logRatios: number[], within?: number): PairedRound[] =>
  logRatios.map((d) => ({ base: 10, head: 10 * Math.exp(d), withinLogVariance: within }));

/** Standard normal draws (Box-Muller) from a seeded source. */
function normal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe('pairedEstimate', () => {
  it('is the geometric mean of the round ratios with a t-interval on their logs', () => {
    // log-ratios 0, 0.1, 0.2: mean 0.1, sd 0.1, se 0.1/sqrt(3), t(2) = 4.303.
    const estimate = pairedEstimate(roundsOf([0, 0.1, 0.2]))!;
    const half = (4.303 * 0.1) / Math.sqrt(3);
    expect(estimate.ratio).toBeCloseTo(Math.exp(0.1), 12);
    expect(estimate.interval!.lower).toBeCloseTo(Math.exp(0.1 - half), 12);
    expect(estimate.interval!.upper).toBeCloseTo(Math.exp(0.1 + half), 12);
    expect(estimate.widthFrom).toBe('rounds');
    expect(estimate.roundRatios.map((r) => Math.log(r))).toEqual([
      0,
      expect.closeTo(0.1, 12),
      expect.closeTo(0.2, 12),
    ]);
  });

  it('takes the within-round noise when rounds agree by chance', () => {
    // Three identical rounds: the rounds alone would claim a zero-width interval.
    const estimate = pairedEstimate(roundsOf([0.2, 0.2, 0.2], 0.03))!;
    const half = 1.96 * Math.sqrt(0.03 / 3);
    expect(estimate.widthFrom).toBe('blocks');
    expect(estimate.interval!.lower).toBeCloseTo(Math.exp(0.2 - half), 12);
    expect(estimate.interval!.upper).toBeCloseTo(Math.exp(0.2 + half), 12);
  });

  it('keeps the rounds when they spread more than the blocks say', () => {
    expect(pairedEstimate(roundsOf([0, 0.3, 0.6], 0.0001))!.widthFrom).toBe('rounds');
  });

  it('gives no interval from one round without blocks, and one from blocks', () => {
    expect(pairedEstimate(roundsOf([0.5]))!.interval).toBeNull();
    const estimate = pairedEstimate(roundsOf([0.5], 0.01))!;
    expect(estimate.interval!.lower).toBeCloseTo(Math.exp(0.5 - 0.196), 12);
  });

  it('has no ratio when a side measured 0', () => {
    expect(pairedEstimate([{ base: 0, head: 5 }])).toBeNull();
    expect(pairedEstimate([{ base: 5, head: 0 }])).toBeNull();
    expect(() => pairedEstimate([])).toThrow(RangeError);
  });

  it('covers the true ratio about 95% of the time (A/A and a 1.6x change, 3 rounds)', () => {
    const draw = normal(seededRandom(42));
    for (const trueLogRatio of [0, Math.log(1.6)]) {
      let covered = 0;
      const experiments = 4000;
      for (let experiment = 0; experiment < experiments; experiment++) {
        const rounds = roundsOf([0, 1, 2].map(() => trueLogRatio + 0.1 * draw()));
        const { interval } = pairedEstimate(rounds)!;
        const truth = Math.exp(trueLogRatio);
        if (interval!.lower <= truth && truth <= interval!.upper) covered += 1;
      }
      expect(covered / experiments).toBeGreaterThan(0.935);
      expect(covered / experiments).toBeLessThan(0.965);
    }
  });

  it('knows the t quantiles it uses', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(2)).toBe(4.303);
    expect(tQuantile975(30)).toBe(2.042);
    expect(tQuantile975(1000)).toBe(1.96);
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });
});

describe('judgePaired', () => {
  it('calls a consistent doubling of a latency a regression, with its interval', () => {
    const judgement = judgePaired(
      pairedEstimate(roundsOf([0.65, 0.7, 0.72])),
      'lower-is-better',
      1.5,
    );
    expect(judgement.status).toBe('regression');
    expect(judgement.change).toMatch(/^\+\d+% \[95% CI \+\d+%, \+\d+%\]$/);
  });

  it('holds a tail worse in every round as pending until TAIL_AGREEING_ROUNDS rounds agree', () => {
    // 4 rounds, all about 3x worse: 1 in 16 by chance for a tail whose rounds flip between modes.
    const four = judgePaired(
      pairedEstimate(roundsOf([1.1, 1.0, 1.2, 1.05])),
      'lower-is-better',
      1.5,
      TAIL_AGREEING_ROUNDS,
    );
    expect(four).toMatchObject({ status: 'noise', pending: true });
    expect(four.reason).toBe(
      "worse than the 1.5x tolerance in all 4 rounds, but a tail percentile counts only when 5 rounds all agree (4 do by chance 1 time in 16: each round's tail rests on its slowest few events): not confirmed",
    );
    const five = judgePaired(
      pairedEstimate(roundsOf([1.1, 1.0, 1.2, 1.05, 1.15])),
      'lower-is-better',
      1.5,
      TAIL_AGREEING_ROUNDS,
    );
    expect(five.status).toBe('regression');
    expect(five.pending).toBeUndefined();
    // The median needs no more than the interval and every round: 4 rounds make a regression.
    expect(
      judgePaired(pairedEstimate(roundsOf([1.1, 1.0, 1.2, 1.05])), 'lower-is-better', 1.5),
    ).toMatchObject({ status: 'regression' });
    // Five rounds by chance: 5 fair coin flips all "worse" 1 time in 32, below 1 in 20.
    expect(2 ** -TAIL_AGREEING_ROUNDS).toBeLessThan(0.05);
    expect(2 ** -(TAIL_AGREEING_ROUNDS - 1)).toBeGreaterThan(0.05);
  });

  it('formats the change as head relative to base', () => {
    const estimate = {
      ratio: 1.23,
      interval: { lower: 1.12, upper: 1.35 },
      roundRatios: [],
      widthFrom: null,
    };
    expect(formatPairedChange(estimate)).toBe('+23% [95% CI +12%, +35%]');
    expect(formatPairedChange({ ...estimate, interval: null })).toBe(
      '+23% [no interval: one round]',
    );
  });

  it('does not fail on one wild round: beyond the tolerance but the interval holds no change', () => {
    const judgement = judgePaired(pairedEstimate(roundsOf([1.5, 0.1, 0])), 'lower-is-better', 1.5);
    expect(judgement.status).toBe('noise');
    expect(judgement.reason).toContain('includes no change');
  });

  it('does not fail when one round points the other way', () => {
    // Seven rounds make the interval exclude 1, but the last one shows the head faster.
    const rounds = roundsOf([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, -0.01]);
    const judgement = judgePaired(pairedEstimate(rounds), 'lower-is-better', 1.5);
    expect(pairedEstimate(rounds)!.interval!.lower).toBeGreaterThan(1);
    expect(judgement.status).toBe('noise');
    expect(judgement.reason).toContain('not in every round');
  });

  it('passes a change inside the tolerance even when it is certain', () => {
    expect(
      judgePaired(pairedEstimate(roundsOf([0.2, 0.2, 0.21])), 'lower-is-better', 1.5).status,
    ).toBe('pass');
  });

  it('does not pass when the interval reaches past the tolerance squared: too wide to rule out', () => {
    // Rounds of +80%, -10% and +50% (geometric mean +34%): within 1.5x, the interval past 2.25x.
    const wide = pairedEstimate(roundsOf([Math.log(1.8), Math.log(0.9), Math.log(1.5)]))!;
    expect(wide.ratio).toBeLessThan(1.5);
    expect(wide.interval!.upper).toBeGreaterThan(2.25);
    const judgement = judgePaired(wide, 'lower-is-better', 1.5);
    expect(judgement.status).toBe('noise');
    expect(judgement.reason).toMatch(
      /95% interval reaches \+\d+%, past \+125%.*too wide to rule out/,
    );
    // For throughput the same rounds read as a rise; their mirror (a drop) is held the same way.
    const dropped = pairedEstimate(roundsOf([-Math.log(1.8), -Math.log(0.9), -Math.log(1.5)]))!;
    expect(judgePaired(dropped, 'higher-is-better', 1.5).status).toBe('noise');
    // Control: rounds of +37%, -19%, -27% reach past 1.5x but not 2.25x: a pass, as before.
    const spread = pairedEstimate(roundsOf([Math.log(1.37), Math.log(0.81), Math.log(0.73)]))!;
    expect(spread.interval!.upper).toBeGreaterThan(1.5);
    expect(spread.interval!.upper).toBeLessThan(2.25);
    expect(judgePaired(spread, 'lower-is-better', 1.5).status).toBe('pass');
  });

  it('turns the ratio for higher-is-better metrics', () => {
    const halved = roundsOf([-0.69, -0.7, -0.71]);
    expect(judgePaired(pairedEstimate(halved), 'higher-is-better', 1.5).status).toBe('regression');
    expect(judgePaired(pairedEstimate(halved), 'lower-is-better', 1.5).status).toBe('improvement');
  });

  it('will not confirm from one round without an interval, and says why with no ratio', () => {
    expect(judgePaired(pairedEstimate(roundsOf([1])), 'lower-is-better', 1.5).status).toBe('noise');
    expect(judgePaired(null, 'lower-is-better', 1.5).status).toBe('info');
  });
});
