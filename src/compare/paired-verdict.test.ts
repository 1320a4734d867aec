import { describe, expect, it } from 'vitest';
import { encodeSamplesMs, makeRunResult, type LatencyShape } from './fixtures.js';
import { comparePaired, type PairedRoundResults } from './paired-verdict.js';

const shape = (p50Ms: number): LatencyShape => ({ p50Ms, p95Ms: p50Ms * 2, p99Ms: p50Ms * 3 });

/** Rounds whose base p50 is `base[i]` ms and head p50 `head[i]` ms, every percentile alike. */
function rounds(base: number[], head: number[], extra: Parameters<typeof makeRunResult>[0] = {}) {
  return base.map((baseP50, index): PairedRoundResults => ({
    base: makeRunResult({ latency: shape(baseP50) }),
    head: makeRunResult({ latency: shape(head[index] as number), ...extra }),
  }));
}

const metric = (verdict: ReturnType<typeof comparePaired>, id: string) =>
  verdict.metrics.find((m) => m.id === id)!;

describe('comparePaired', () => {
  it('passes the same code measured three times, and says against what', () => {
    const verdict = comparePaired(rounds([10, 10.4, 9.8], [10.2, 10.1, 10]), { tolerance: 1.5 });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(
      'Pass against the base commit measured on this runner (3 rounds): every gated metric within the 1.5x tolerance',
    );
    expect(metric(verdict, 'p50').status).toBe('pass');
    expect(metric(verdict, 'p50').base).toBeCloseTo(10, 1);
  });

  it('calls a doubled latency a regression, showing the change with its interval', () => {
    const verdict = comparePaired(rounds([10, 10.5, 9.8], [20.3, 20.8, 19.5]), { tolerance: 1.5 });
    expect(verdict.outcome).toBe('regression');
    const p50 = metric(verdict, 'p50');
    expect(p50.status).toBe('regression');
    expect(p50.change).toMatch(/^\+(9\d|10\d)% \[95% CI \+\d+%, \+\d+%\]$/);
    expect(verdict.summary).toContain(`Latency p50 ${p50.change}`);
  });

  it('fails on the median after 3 agreeing rounds, but holds a tail until 5 rounds agree', () => {
    // Only p99 worse, about 3x, in every round: the A/A false alarm of bench:verdict's run B.
    const tailRounds = (n: number) =>
      Array.from({ length: n }, (_, index): PairedRoundResults => ({
        base: makeRunResult({ latency: { p50Ms: 1.5, p95Ms: 3, p99Ms: 6 + index * 0.2 } }),
        head: makeRunResult({ latency: { p50Ms: 1.5, p95Ms: 3, p99Ms: 18 + index } }),
      }));
    const four = comparePaired(tailRounds(4), { tolerance: 1.5 });
    expect(four.outcome).toBe('inconclusive');
    expect(metric(four, 'p99')).toMatchObject({ status: 'noise', pending: true });
    expect(metric(four, 'p50').status).toBe('pass');
    const five = comparePaired(tailRounds(5), { tolerance: 1.5 });
    expect(five.outcome).toBe('regression');
    expect(metric(five, 'p99').status).toBe('regression');
    // An ungated tail is never pending: it decides nothing.
    expect(
      metric(comparePaired(tailRounds(4), { tolerance: 1.5, gatedMetrics: ['p50'] }), 'p99')
        .pending,
    ).toBeUndefined();
  });

  it('is inconclusive when one wild round is all there is to a "regression"', () => {
    const verdict = comparePaired(rounds([10, 10, 10], [40, 10.2, 9.9]), { tolerance: 1.5 });
    expect(verdict.outcome).toBe('inconclusive');
    expect(metric(verdict, 'p50').status).toBe('noise');
    expect(verdict.summary).toContain('more rounds would tell');
  });

  it('fails on a lost delivery on its own, naming the base for contrast', () => {
    const verdict = comparePaired(rounds([10, 10, 10], [10, 10, 10], { lost: 2 }), {
      tolerance: 1.5,
    });
    expect(verdict.outcome).toBe('regression');
    expect(metric(verdict, 'lost').reason).toBe('head: 2 in its worst round (base: 0)');
  });

  it('names the invalid measurement', () => {
    const verdict = comparePaired(rounds([10, 10], [10, 10], { valid: false }), { tolerance: 1.5 });
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.reasons).toContain(
      'round 1, head: invalid run (achieved 80.0 of 100 events/s (rate not met))',
    );
  });

  it('judges only the gated metrics', () => {
    const verdict = comparePaired(rounds([10, 10.5, 9.8], [20.3, 20.8, 19.5]), {
      tolerance: 1.5,
      gatedMetrics: ['throughput'],
    });
    expect(metric(verdict, 'p50').status).toBe('info');
    expect(verdict.outcome).toBe('pass');
  });

  it('judges duplicates by their rise against the floor: none to a few passes, many fail', () => {
    const few = comparePaired(rounds([10, 10, 10], [10, 10, 10], { duplicates: 3 }), {
      tolerance: 1.5,
    });
    expect(metric(few, 'duplicates').status).toBe('pass');
    expect(few.outcome).toBe('pass');
    const many = comparePaired(rounds([10, 10, 10], [10, 10, 10], { duplicates: 40 }), {
      tolerance: 1.5,
    });
    expect(metric(many, 'duplicates')).toMatchObject({ status: 'regression', change: '+40' });
    expect(many.outcome).toBe('regression');
  });

  it('takes the within-trial noise from latency blocks when the rounds agree by chance', () => {
    // Each block holds 50 events from a wide spread: p99 of a trial rests on a handful of them.
    const block = (seed: number, scale: number) =>
      encodeSamplesMs(
        Array.from({ length: 50 }, (_, i) => scale * (5 + ((i * 7919 + seed * 104729) % 97))),
      );
    const withBlocks = rounds([10, 10, 10], [10, 10, 10]).map((round) => {
      round.base.delivery.latencyBlocks = Array.from({ length: 10 }, (_, k) => block(k, 1));
      // The head's last block delivered nothing: it has one block fewer.
      round.head.delivery.latencyBlocks = Array.from({ length: 9 }, (_, k) => block(k + 3, 1));
      return round;
    });
    const p99 = metric(comparePaired(withBlocks, { tolerance: 1.5 }), 'p99');
    expect(p99.estimate!.widthFrom).toBe('blocks');
    expect(p99.estimate!.interval!.upper).toBeGreaterThan(p99.estimate!.interval!.lower);
  });
});
