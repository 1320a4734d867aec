import { describe, expect, it } from 'vitest';
import { makeRunResult } from '../compare/fixtures.js';
import { compare } from '../compare/verdict.js';
import { aggregateTrials } from '../compare/trials.js';
import { updateBaseline } from '../compare/baseline.js';
import { pairedContext } from './html-fixtures.js';
import { commentMarker } from './markdown.js';
import {
  committedBaselineLine,
  renderPairedMarkdown,
  renderPairedTerminal,
  type PairedReportContext,
} from './paired.js';

/** The shared paired run without timelines, with a committed baseline on another machine. */
const context = (headP50Ms: number[]): PairedReportContext => ({
  ...pairedContext({ headP50Ms, timelines: false }),
  choice: 'compare-to auto: the committed baseline was measured on another machine (cpuModel)',
  committedBaseline: 'not comparable: environment differs (cpuModel: "Xeon" vs "EPYC")',
  commit: '5d6e7f8a9b',
});

describe('renderPairedMarkdown', () => {
  it('shows the verdict, base vs head with the interval, the reference, the baseline line and the cost', () => {
    const text = renderPairedMarkdown(context([20, 21, 19.5]));
    expect(
      text.startsWith(`${commentMarker('quick')}\n\n## ❌ Load test \`quick\`: REGRESSION`),
    ).toBe(true);
    expect(text).toMatch(
      /\| \*\*Latency p50\*\* \| 10\.00 \| 2\d\.\d \| \+\d+% \[95% CI \+\d+%, \+\d+%\] \| ❌ regression \|/,
    );
    // What is compared with what: right under the heading.
    expect(text.split('\n')[4]).toBe(
      '**This pull request** (head 5d6e7f8) **vs its base** (base commit 1a2b3c4 (first parent of the merge commit 5d6e7f8)), both measured on this runner in 3 alternating rounds',
    );
    expect(text).toContain(
      '- Why the base: compare-to auto: the committed baseline was measured on another machine (cpuModel)',
    );
    expect(text).toContain(
      '- vs committed baseline: not comparable: environment differs (cpuModel: "Xeon" vs "EPYC")',
    );
    expect(text).toContain(
      '| round 2, head | start 1.5 s, ready 0.7 s, seed 0.1 s, warmup 2.0 s, measure 2.2 s, stop 0.4 s |',
    );
    expect(text).toContain('| prepare, base | 12.0 s |');
    expect(text).toContain('| 2 | head → base |');
  });

  it('passes an unchanged head and prints the same in the terminal', () => {
    const ctx = context([10.1, 9.9, 10]);
    expect(renderPairedMarkdown(ctx)).toContain('## ✅ Load test `quick`: PASS');
    const terminal = renderPairedTerminal(ctx);
    expect(terminal.split('\n')[0]).toMatch(
      /^Load test quick · head 5d6e7f8 vs base commit 1a2b3c4/,
    );
    // The verdict is the last line.
    expect(terminal.trimEnd().split('\n').at(-1)).toMatch(/^PASS {2}/);
    expect(terminal).toMatch(/\* Latency p50 +10\.00 +10\.00 +[-+]?\d.*\[95% CI .*\] +pass/);
    expect(terminal).toContain('round 3 base: start 1.5 s');
  });
});

describe('committedBaselineLine', () => {
  const baselineOn = (cpuModel: string) =>
    updateBaseline(null, aggregateTrials([makeRunResult({ environment: { cpuModel } })]), {
      name: 'quick',
      commit: null,
      date: '2026-11-01T00:00:00.000Z',
    });
  const head = aggregateTrials([makeRunResult({ environment: { cpuModel: 'Xeon' } })]);

  it('says why the committed baseline is not comparable, or how the head compares with it', () => {
    const other = compare(head, baselineOn('EPYC'), { tolerance: 1.5 });
    expect(committedBaselineLine(other)).toBe(
      'not comparable: measured on another machine: cpuModel (baseline EPYC, current Xeon)',
    );
    const same = compare(head, baselineOn('Xeon'), { tolerance: 1.5 });
    expect(committedBaselineLine(same)).toBe(`comparable: ${same.summary}`);
    expect(committedBaselineLine(null)).toBe('none committed');
  });
});
