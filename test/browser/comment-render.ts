/**
 * The PR comment as GitHub shows it: the markdown through `marked` (GFM), GitHub's own
 * stylesheet (github-markdown-css), the ```mermaid blocks drawn by mermaid, in Debian's headless
 * Chromium, in a column as wide as a comment's. Everything is loaded from node_modules, inline:
 * no network. Used by comment-render.test.ts and scripts/report-screenshots.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Marked } from 'marked';
import type { BrowserContext, Page } from 'playwright-core';
import { renderMarkdown } from '../../src/report/markdown.js';
import {
  baselineWithHistory,
  baselineWithLongHistory,
  regressedWithEndpoints,
  baselineReport,
  unchangedAggregate,
} from '../../src/report/report-fixtures.js';
import { pairedReport, regressedWithTimelines } from '../../src/report/html-fixtures.js';

const require = createRequire(import.meta.url);

/** GitHub's comment column: about 750–900 px wide; the comment body pads it by 16 px. */
export const COMMENT_WIDTH_PX = 780;

const css = (): string =>
  readFileSync(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8');
const mermaidScript = (): string =>
  readFileSync(require.resolve('mermaid/dist/mermaid.min.js'), 'utf8');

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The comment's HTML body: GFM, with ```mermaid fences as mermaid's <pre class="mermaid">. */
export function commentHtml(markdown: string): string {
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      code({ text, lang }) {
        return lang === 'mermaid' ? `<pre class="mermaid">${escapeHtml(text)}</pre>\n` : false;
      },
    },
  });
  return marked.parse(markdown, { async: false });
}

function pageHtml(markdown: string, widthPx: number): string {
  return `<!doctype html>
<html><head><meta charset="utf-8">
<style>${css()}</style>
<style>
  body { margin: 0; background: #fff; }
  .markdown-body { box-sizing: border-box; width: ${widthPx}px; padding: 16px; }
  pre.mermaid { background: none; padding: 0; }
</style>
</head><body>
<article class="markdown-body" id="comment">${commentHtml(markdown)}</article>
<script>${mermaidScript()}</script>
</body></html>`;
}

/** What renderComment measures, run in the page. */
const MEASURE = `(() => {
  const column = document.getElementById('comment');
  const right = column.getBoundingClientRect().right;
  const cutTables = [...column.querySelectorAll('table')]
    .map((table, index) => ({
      index,
      scrollWidth: table.scrollWidth,
      clientWidth: table.clientWidth,
      firstCell: table.querySelector('th')?.textContent ?? '',
      visible: table.getClientRects().length > 0,
    }))
    .filter((table) => table.visible && table.scrollWidth > table.clientWidth + 1)
    .map(({ visible, ...table }) => table);
  const overflowing = [...column.querySelectorAll('table, pre, svg, p, li, summary, h2')]
    .filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.right > right + 1;
    })
    .map((element) => element.tagName.toLowerCase() + ': ' + (element.textContent ?? '').slice(0, 60));
  const charts = [...column.querySelectorAll('pre.mermaid')].map((container) => {
    const svg = container.querySelector('svg');
    const groups = svg
      ? [...svg.querySelectorAll('g')].filter((group) =>
          /(^|\\s)(bar|line)-plot-\\d+/.test(group.getAttribute('class') ?? ''),
        )
      : [];
    const drawn = groups.filter((group) => group.querySelector('rect, path') !== null).length;
    const text = container.textContent ?? '';
    const error = /syntax error|parse error|error in text|mermaid version/i.exec(text);
    return { drawn, hasSvg: svg !== null, error: error ? text.slice(0, 200) : null };
  });
  return { cutTables, overflowing, charts, columnWidth: column.clientWidth };
})()`;

export interface ChartCheck {
  /** The series the markdown declares (bar/line lines). */
  declared: number;
  /** Series groups drawn with at least one mark (bar rects, line paths). */
  drawn: number;
  hasSvg: boolean;
  /** Any error text mermaid put in place of a chart. */
  error: string | null;
}

export interface RenderCheck {
  /** Tables whose content is wider than they are shown (GitHub then scrolls them: cut off). */
  cutTables: { index: number; scrollWidth: number; clientWidth: number; firstCell: string }[];
  /** Elements reaching past the comment column's right edge. */
  overflowing: string[];
  charts: ChartCheck[];
  columnWidth: number;
}

/**
 * Renders the comment in `context` at `widthPx`, draws its charts and returns the page (for a
 * screenshot) with what was measured. `openDetails` unfolds every <details> first so folded
 * tables are measured too.
 */
export async function renderComment(
  context: BrowserContext,
  markdown: string,
  options: { widthPx?: number; openDetails?: boolean } = {},
): Promise<{ page: Page; check: RenderCheck }> {
  const widthPx = options.widthPx ?? COMMENT_WIDTH_PX;
  const page = await context.newPage();
  await page.setViewportSize({ width: widthPx + 40, height: 900 });
  await page.setContent(pageHtml(markdown, widthPx), { waitUntil: 'load' });
  await page.evaluate(`(async () => {
    mermaid.initialize({ startOnLoad: false, theme: 'default' });
    if (${JSON.stringify(options.openDetails ?? false)}) {
      for (const element of document.querySelectorAll('details')) element.open = true;
    }
    await mermaid.run({ querySelector: 'pre.mermaid', suppressErrors: true });
  })()`);
  const declared = [...markdown.matchAll(/```mermaid\n([^]*?)```/g)].map(
    (match) => (match[1]!.match(/^\s*(bar|line) \[/gm) ?? []).length,
  );
  // A string, evaluated in the page (this project's TypeScript has no DOM types).
  const measured = (await page.evaluate(MEASURE)) as Omit<RenderCheck, 'charts'> & {
    charts: Omit<ChartCheck, 'declared'>[];
  };
  return {
    page,
    check: {
      ...measured,
      charts: measured.charts.map((chart, index) => ({ ...chart, declared: declared[index] ?? 0 })),
    },
  };
}

/**
 * The comments the test renders and the README shows: a regression (with runs, a timeline and
 * history), a
 * pass, an inconclusive one (no baseline yet), and the widest the report makes (long endpoint
 * names with problems, 31 nights).
 */
export function sampleComments(): Record<'regression' | 'pass' | 'inconclusive' | 'wide', string> {
  const withHistory = baselineWithHistory();
  // With a timeline per trial, the second stalled: the comment's Timeline fold and its charts.
  const regressed = regressedWithTimelines();
  const unchanged = unchangedAggregate();
  const wide = regressedWithEndpoints(8, (index) => ({
    name: `Uniswap V3 Swaps on the WETH/USDC 0.05% pool, mainnet fork #${index}`,
    lost: index === 0 ? 12 : 0,
    duplicates: index === 1 ? 3 : 0,
    badSignatures: index === 0 ? 1 : 0,
  }));
  const longHistory = baselineWithLongHistory(30);
  return {
    regression: renderMarkdown(baselineReport(regressed, withHistory)),
    pass: renderMarkdown(pairedReport({ headP50Ms: [10.2, 9.9, 10.1] })),
    inconclusive: renderMarkdown(baselineReport(unchanged, null)),
    wide: renderMarkdown(baselineReport(wide, longHistory)),
  };
}
