import { describe, expect, it } from 'vitest';
import { golden } from './golden.js';
import { pairedReport } from './html-fixtures.js';
import { COMMENT_LIMIT_CHARS, commentMarker, renderMarkdown } from './markdown.js';
import {
  baselineReport,
  baselineWithHistory,
  baselineWithLongHistory,
  regressedAggregate,
  regressedWithEndpoints,
  unchangedAggregate,
} from './report-fixtures.js';
import type { CheckReport } from './check.js';

const TABLE_HEADER = '| Metric | Baseline | Head | Change [90% CI] | Status |';

describe('renderMarkdown: golden reports', () => {
  it('renders a regression against the baseline, with trials and history', async () => {
    const markdown = renderMarkdown(baselineReport(regressedAggregate(), baselineWithHistory()));
    expect(markdown).toBe(await golden('report-regression.md', markdown));
  });

  it('renders a paired pass', async () => {
    const markdown = renderMarkdown(pairedReport({ headP50Ms: [10.2, 9.9, 10.1] }));
    expect(markdown).toBe(await golden('report-pass.md', markdown));
  });

  it('renders a paired regression', async () => {
    const markdown = renderMarkdown(pairedReport({ timelines: false }));
    expect(markdown).toBe(await golden('report-paired-regression.md', markdown));
  });

  it('renders an inconclusive report without a reference', async () => {
    const markdown = renderMarkdown(baselineReport(unchangedAggregate(), null));
    expect(markdown).toBe(await golden('report-no-baseline.md', markdown));
  });
});

describe('renderMarkdown: structure', () => {
  const report = baselineReport(regressedAggregate(), baselineWithHistory());
  const markdown = renderMarkdown(report);
  const lines = markdown.split('\n');

  it('starts with the hidden marker, the verdict, its summary and how it was reached', () => {
    expect(lines[0]).toBe('<!-- ethhook-load-test:steady -->');
    expect(lines[2]).toBe('## ❌ Load test `steady`: REGRESSION');
    expect(lines[4]).toMatch(/^\*\*Regression: Latency p50 \+123% \\\[90% CI /);
    // The two sentences of the model, in italics.
    expect(lines[6]).toMatch(
      /^_Each gated figure's change is the median, over fresh starts of the system/,
    );
    expect(lines[6]).toMatch(/a regression\._$/);
    expect(markdown).toContain(TABLE_HEADER);
  });

  it('names what was compared with what, and why this reference', () => {
    expect(markdown).toContain(
      '- Compared: commit feedfac \\(3 trials on a 4-core AMD EPYC 7763\\) vs the committed baseline steady',
    );
    expect(markdown).toContain('- Why this reference: compare-to auto: the committed baseline');
  });

  it('escapes table cells', () => {
    const current = regressedAggregate();
    const tricky = {
      ...current,
      endpoints: current.endpoints.map((endpoint, index) =>
        index === 0 ? { ...endpoint, name: 'A | B <script>' } : endpoint,
      ),
    };
    const text = renderMarkdown(baselineReport(tricky, baselineWithHistory()));
    expect(text).toContain('A &#124; B &lt;script&gt;');
    expect(text).not.toContain('<script>');
  });

  it('folds the details', () => {
    expect(markdown).toContain('<summary>Load</summary>');
    expect(markdown).toContain('<summary>Each run of the head (3)</summary>');
    expect(markdown).toMatch(/<summary>Baseline history \(\d+ nights, oldest first\)<\/summary>/);
  });

  it('folds the rounds and their cost in a paired report', () => {
    const paired = renderMarkdown(pairedReport({ timelines: false }));
    expect(paired).toContain('| Metric | Base | Head | Change [90% CI] | Status |');
    expect(paired).toContain('<summary>Rounds: head/base per round</summary>');
    expect(paired).toMatch(/\| 2 \| head → base \| 2\.\d{3} \|/);
    expect(paired).toContain('<summary>Cost: time per phase and side</summary>');
  });
});

describe('renderMarkdown: the comment limit', () => {
  const longName = (index: number) =>
    `Uniswap V3 Swaps, pool 0x${index.toString(16).padStart(40, '0')} (fee tier 0.05%) #${index}`;
  const huge = (): CheckReport =>
    baselineReport(
      regressedWithEndpoints(500, (index, first) => ({
        name: longName(index),
        latencyMs: { ...first.latencyMs, p99: 100 + (index % 97) },
      })),
      baselineWithLongHistory(30),
    );

  it('keeps a huge report (500 endpoints, 30 nights) under 65,536 characters, saying what was cut', () => {
    const markdown = renderMarkdown(huge());
    expect(markdown.length).toBeLessThanOrEqual(65_000);
    expect(markdown.length).toBeLessThan(COMMENT_LIMIT_CHARS);
    expect(markdown).toMatch(
      /> ✂️ Shortened to stay under GitHub's 65,536-character limit; left out: per-endpoint figures \(20 slowest of 500 shown\)/,
    );
    expect(markdown).toContain(TABLE_HEADER);
  });

  it('cuts further, in order, under a tighter budget, and truncates only the head last', () => {
    const full = renderMarkdown(huge(), { maxChars: 1_000_000 });
    expect(full.length).toBeGreaterThan(COMMENT_LIMIT_CHARS);
    expect(full).not.toContain('Shortened');
    const tight = renderMarkdown(huge(), { maxChars: 6_000 });
    expect(tight.length).toBeLessThanOrEqual(6_000);
    expect(tight).not.toContain('Per endpoint');
    expect(tight).toContain(TABLE_HEADER);
    const tiny = renderMarkdown(huge(), { maxChars: 500 });
    expect(tiny.length).toBeLessThanOrEqual(500);
    expect(tiny).toMatch(/^<!-- ethhook-load-test:steady -->/);
    expect(tiny).toMatch(/Report truncated/);
  });
});

describe('commentMarker', () => {
  it('is a hidden HTML comment per baseline name that cannot close early', () => {
    expect(commentMarker('steady')).toBe('<!-- ethhook-load-test:steady -->');
    expect(commentMarker('a--b>c')).toBe('<!-- ethhook-load-test:a-bc -->');
  });
});

describe('renderMarkdown: reasons and notes quote files', () => {
  const report = baselineReport(regressedAggregate(), baselineWithHistory());
  const render = (reasons: string[], notes: string[] = []) =>
    renderMarkdown({ ...report, judgement: { ...report.judgement, reasons }, notes });
  const bullets = (markdown: string) =>
    markdown.split('\n').filter((line) => line.startsWith('- ') && !/^- (Compared|Why)/.test(line));

  it('escapes HTML and line breaks in a reason quoted from a file', () => {
    const text = render(['<img src=x onerror=alert(1)>\n## Injected heading']);
    expect(text).not.toContain('<img');
    expect(text).not.toMatch(/^## Injected/m);
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt; ## Injected heading');
  });

  it('escapes notes too', () => {
    expect(render([], ['runner <b>x</b>\n> quoted'])).toContain(
      '> runner &lt;b&gt;x&lt;/b&gt; &gt; quoted',
    );
  });

  it('leaves code spans as written: markdown shows them literally', () => {
    expect(bullets(render(['run `baseline update <result.json>` <b>'])).at(0)).toBe(
      '- run `baseline update <result.json>` &lt;b&gt;',
    );
  });

  it('pairs backticks as markdown does, so no fake code span carries HTML', () => {
    expect(
      bullets(
        render([
          'unclosed ` <i>',
          'escaped \\`<i>`',
          'lengths differ ``<i>` <b>',
          'double ``a`<i>`b`` <b>',
          'escaped backslash \\\\`<i>`',
        ]),
      ),
    ).toEqual([
      '- unclosed ` &lt;i&gt;',
      '- escaped \\`&lt;i&gt;`',
      '- lengths differ ``&lt;i&gt;` &lt;b&gt;',
      '- double ``a`<i>`b`` &lt;b&gt;',
      '- escaped backslash \\\\`<i>`',
    ]);
  });
});
