import { describe, expect, it } from 'vitest';
import { chromiumMissing, withBrowser } from './chromium.js';
import { missingPrerequisite } from '../setup/prerequisites.js';
import { COMMENT_WIDTH_PX, renderComment, sampleComments } from './comment-render.js';

/**
 * The PR comment rendered as GitHub renders it (GFM, GitHub's stylesheet, mermaid) in headless
 * Chromium at a comment's width: no table cut off or scrolled, nothing past the column's edge,
 * every chart drawn with all its series, no network.
 */

const skipped = missingPrerequisite('test/browser/comment-render.test.ts', chromiumMissing());

describe.skipIf(skipped)('the PR comment, rendered as GitHub renders it', () => {
  it(`fits a ${COMMENT_WIDTH_PX} px comment column, and draws every chart`, async () => {
    const all = sampleComments();
    const results = await withBrowser(async (context, blocked) => {
      const checks = [];
      for (const [name, markdown] of Object.entries(all)) {
        const { page, check } = await renderComment(context, markdown, { openDetails: true });
        await page.close();
        checks.push({ name, check });
      }
      return { checks, blocked };
    });
    expect(results.blocked).toEqual([]);
    for (const { name, check } of results.checks) {
      expect(check.columnWidth, name).toBeGreaterThan(COMMENT_WIDTH_PX - 40);
      expect(check.cutTables, `${name}: tables wider than the column`).toEqual([]);
      expect(check.overflowing, `${name}: past the column's edge`).toEqual([]);
      // A run with no reference and no timeline has nothing to chart; every other sample does.
      if (name !== 'inconclusive') expect(check.charts.length, name).toBeGreaterThanOrEqual(1);
      for (const chart of check.charts) {
        expect(chart.error, name).toBeNull();
        expect(chart.hasSvg, name).toBe(true);
        expect(chart.declared, name).toBeGreaterThan(0);
        expect(chart.drawn, `${name}: series drawn`).toBe(chart.declared);
      }
    }
    // The regression comment charts the timeline (latency and throughput) and the history.
    expect(results.checks.find((item) => item.name === 'regression')?.check.charts).toHaveLength(3);
  }, 180_000);
});
