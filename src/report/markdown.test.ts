import { describe, expect, it } from 'vitest';
import { compare } from '../compare/verdict.js';
import { golden } from './golden.js';
import { COMMENT_LIMIT_CHARS, commentMarker, renderMarkdown } from './markdown.js';
import {
  baselineWithHistory,
  baselineWithLongHistory,
  regressedAggregate,
  regressedWithEndpoints,
  reportContext,
  unchangedAggregate,
} from './report-fixtures.js';

const options = { tolerance: 1.5 };
const TABLE_HEADER = '| Metric | Baseline | This run | Change | Limit | Status |';

describe('renderMarkdown: golden reports', () => {
  it('renders a regression with trials and history', async () => {
    const baseline = baselineWithHistory();
    const current = regressedAggregate();
    const markdown = renderMarkdown(
      compare(current, baseline, options),
      reportContext(current, baseline),
    );
    expect(markdown).toBe(await golden('report-regression.md', markdown));
  });

  it('renders a pass', async () => {
    const baseline = baselineWithHistory(0);
    const current = unchangedAggregate();
    const markdown = renderMarkdown(
      compare(current, baseline, options),
      reportContext(current, baseline),
    );
    expect(markdown).toBe(await golden('report-pass.md', markdown));
  });

  it('renders an inconclusive report without a baseline', async () => {
    const current = unchangedAggregate();
    const markdown = renderMarkdown(
      compare(current, null, { ...options, baselineName: 'steady' }),
      reportContext(current, null),
    );
    expect(markdown).toBe(await golden('report-no-baseline.md', markdown));
  });
});

describe('renderMarkdown: structure', () => {
  const baseline = baselineWithHistory();
  const current = regressedAggregate();
  const verdict = compare(current, baseline, options);
  const markdown = renderMarkdown(verdict, reportContext(current, baseline));

  it('starts with the hidden marker, then the verdict', () => {
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('<!-- ethhook-load-test:steady -->');
    expect(lines[2]).toBe('## ❌ Load test `steady`: REGRESSION');
    // What is compared with what, then the regression, stated once, before the table.
    expect(lines[4]).toBe(
      '**This commit** `feedfac` **vs the baseline** `steady` of 2025-01-14 (commit `1a2b3c4`, 4-core AMD EPYC 7763) · 3 runs (median shown)',
    );
    expect(lines[6]).toMatch(/^\*\*Worse than the limit: Latency p50 2\.\d× slower/);
    const head = markdown.slice(0, markdown.indexOf('<details>'));
    expect(head.match(/Latency p50 regressed/g)).toBeNull();
    // No harness jargon above the folds.
    expect(head).not.toMatch(/XADD|Publisher lag|gated|spread|trial|cpuModel|durationSec|c0000/i);
  });

  it('has the table, a mermaid xychart and collapsible details', () => {
    expect(markdown).toContain(TABLE_HEADER);
    // Short cells keep to one line: no-break spaces.
    expect(markdown).toContain(
      '| Latency p50 (ms) | 12.2 | 27.0 | 2.2×\u00a0slower | ≤\u00a018.3\u00a0ms | ❌\u00a0over\u00a0limit |',
    );
    expect(markdown).toContain('\nxychart-beta\n');
    // Every chart has a legend right under it.
    expect(markdown.match(/```\n\n<sub>[^\n]*(bars|lines)/g)).toHaveLength(
      markdown.match(/xychart-beta/g)!.length,
    );
    expect(markdown).toContain('bar [');
    expect(markdown).toContain('line [');
    for (const summary of [
      'How the verdict was reached',
      'Other figures (not part of the verdict)',
      'Load',
      'Runner',
      'Load generator and delivery counts (per run)',
      'Per endpoint',
      'Each run (3; spread',
      'Baseline history (7 nights',
    ]) {
      expect(markdown).toContain(`<summary>${summary}`);
    }
    expect(markdown).not.toContain('Shortened');
  });

  it('escapes table cells', () => {
    const tricky = {
      ...current,
      endpoints: current.endpoints.map((endpoint, index) =>
        index === 0 ? { ...endpoint, name: 'A | B <script>' } : endpoint,
      ),
    };
    const text = renderMarkdown(verdict, reportContext(tricky, baseline));
    expect(text).toContain('A &#124; B &lt;script&gt;');
    expect(text).not.toContain('<script>');
  });
});

describe('renderMarkdown: a runner not comparable with the baseline', () => {
  it('says so at the top in plain words, the field keys only in the folds', () => {
    const baseline = baselineWithHistory(0);
    const other = unchangedAggregate();
    const current = {
      ...other,
      environment: {
        ...other.environment,
        cpuModel: 'Intel(R) Xeon(R) Platinum 8370C',
        cpuCores: 2,
      },
    };
    const markdown = renderMarkdown(
      compare(current, baseline, options),
      reportContext(current, baseline),
    );
    const head = markdown.slice(0, markdown.indexOf('<details>'));
    expect(head).toContain('## ⚠️ Load test `steady`: INCONCLUSIVE');
    expect(head).toMatch(/\*\*Could not judge: [^*]*environment differs \(CPU, CPU cores/);
    expect(head).not.toMatch(/cpuModel|cpuCores/);
    expect(markdown).toContain('| CPU cores ⚠️ | 4 | 2 |');
  });
});

describe('renderMarkdown: injected faults', () => {
  it('shows the faults in the configuration only when a side injected any, flagged', () => {
    const baseline = baselineWithHistory(0);
    const clean = unchangedAggregate();
    const cleanText = renderMarkdown(
      compare(clean, baseline, options),
      reportContext(clean, baseline),
    );
    expect(cleanText).not.toContain('| Injected faults');

    const faulty = {
      ...clean,
      config: { ...clean.config, faults: { failureRate: 0.1, failureStatus: 429, delayMs: 5 } },
    };
    const text = renderMarkdown(
      compare(faulty, baseline, options),
      reportContext(faulty, baseline),
    );
    expect(text).toContain('<summary>Load ⚠️ differs from the baseline</summary>');
    expect(text).toContain(
      '| Injected faults ⚠️ | none | 10% of webhooks answered 429, every reply delayed 5 ms |',
    );
  });
});

describe('renderMarkdown: the comment limit', () => {
  const longName = (index: number) =>
    `Uniswap V3 Swaps, pool 0x${index.toString(16).padStart(40, '0')} (fee tier 0.05%) #${index}`;

  function hugeContext() {
    const current = regressedWithEndpoints(500, (index, first) => ({
      name: longName(index),
      latencyMs: { ...first.latencyMs, p99: 100 + (index % 97) },
    }));
    const baseline = baselineWithLongHistory(30);
    return reportContext(current, baseline);
  }

  it('keeps a huge report (500 endpoints, 30 nights) under 65,536 characters, saying what was cut', () => {
    const context = hugeContext();
    const verdict = compare(context.current, context.baseline, options);
    const markdown = renderMarkdown(verdict, context);
    expect(markdown.length).toBeLessThanOrEqual(65_000);
    expect(markdown.length).toBeLessThan(COMMENT_LIMIT_CHARS);
    expect(markdown).toMatch(
      /> ✂️ Shortened to stay under GitHub's 65,536-character limit; left out: per-endpoint figures \(20 slowest of 500 shown\)/,
    );
    expect(markdown).toContain(
      '<summary>Per endpoint (20 slowest of 500, totals of 3 runs)</summary>',
    );
    // Only as much is cut as needed: the verdict, table, chart and other details survive.
    expect(markdown.startsWith('<!-- ethhook-load-test:steady -->')).toBe(true);
    expect(markdown).toContain(TABLE_HEADER);
    expect(markdown).toContain('xychart-beta');
    expect(markdown).toContain('<summary>Baseline history (31 nights, oldest first)</summary>');
  });

  it('cuts further, in order, under a tighter budget', () => {
    const context = hugeContext();
    const verdict = compare(context.current, context.baseline, options);
    // A job summary may take more (1 MiB); uncut, this report would not fit a comment.
    const full = renderMarkdown(verdict, context, { maxChars: 1_000_000 });
    expect(full.length).toBeGreaterThan(COMMENT_LIMIT_CHARS);
    expect(full).not.toContain('Shortened');

    const tight = renderMarkdown(verdict, context, { maxChars: 5_000 });
    expect(tight.length).toBeLessThanOrEqual(5_000);
    expect(tight).toMatch(
      /left out: load, runner, load generator figures, per-endpoint figures \(500 endpoints\), runs \(3\), history \(31 nights\)\./,
    );
    expect(tight).not.toContain('Per endpoint');
    expect(tight).toContain(TABLE_HEADER);

    const tiny = renderMarkdown(verdict, context, { maxChars: 500 });
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
  const baseline = baselineWithHistory();
  const current = regressedAggregate();
  const verdict = compare(current, baseline, options);
  const render = (reasons: string[], notes: string[] = []) =>
    renderMarkdown({ ...verdict, reasons, notes }, reportContext(current, baseline));
  const bullets = (markdown: string) =>
    markdown.split('\n').filter((line) => line.startsWith('- '));

  it('escapes HTML and line breaks in a reason from a baseline file', () => {
    const invalid = {
      ...baseline,
      aggregate: {
        ...baseline.aggregate,
        validity: {
          ...baseline.aggregate.validity,
          valid: false,
          reasons: ['<img src=x onerror=alert(1)>\n## Injected heading'],
        },
      },
    };
    const text = renderMarkdown(
      compare(current, invalid, options),
      reportContext(current, invalid),
    );
    expect(text).not.toContain('<img');
    expect(text).not.toMatch(/^## Injected/m);
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt; ## Injected heading');
  });

  it('escapes notes too', () => {
    expect(bullets(render([], ['runner <b>x</b>\n> quoted']))).toEqual([
      '- ℹ️ runner &lt;b&gt;x&lt;/b&gt; &gt; quoted',
    ]);
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
