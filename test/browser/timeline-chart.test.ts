import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Timeline } from '../../src/engine/measure/result.js';
import { timelineCharts, timelineView } from '../../src/report/timeline.js';
import { chromiumMissing, withBrowser } from './chromium.js';
import { missingPrerequisite } from '../setup/prerequisites.js';

const MERMAID = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

/** 12 s at 100/s with nothing delivered in seconds 5 and 6. */
const stalled: Timeline = {
  bucketSec: 1,
  publishEndSec: 10,
  publishedPerSec: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0, 0],
  deliveredPerSec: [100, 100, 100, 100, 100, 0, 0, 300, 100, 100, 0, 0],
  p50Ms: [4, 4, 4, 4, 4, null, null, 1050, 4, 4, null, null],
  p99Ms: [8, 8, 8, 8, 8, null, null, 2100, 8, 8, null, null],
  maxMs: [9, 9, 9, 9, 9, null, null, 2110, 9, 9, null, null],
  backlog: [0, 0, 0, 0, 0, 100, 200, 0, 0, 0, 0, 0],
};

// The comment's charts, drawn by the mermaid GitHub uses: they must parse and draw their series.
const skipped = missingPrerequisite('test/browser/timeline-chart.test.ts', chromiumMissing());

describe.skipIf(skipped)('timeline charts in mermaid', () => {
  it('render as xycharts with a line (p99) and bars plus a line (throughput)', async () => {
    const charts = timelineCharts(timelineView(stalled, 'the trial')).map((chart) =>
      chart.replace(/^```mermaid\n/, '').replace(/\n```$/, ''),
    );
    const drawn = await withBrowser(async (context, blocked) => {
      const page = await context.newPage();
      await page.setContent('<div id="out"></div>');
      await page.addScriptTag({ path: MERMAID });
      const svgs = await page.evaluate(async (sources) => {
        const { mermaid } = globalThis as unknown as {
          mermaid: {
            initialize(config: object): void;
            render(id: string, source: string): Promise<{ svg: string }>;
          };
        };
        mermaid.initialize({ startOnLoad: false });
        const out: string[] = [];
        for (const [index, source] of sources.entries()) {
          const { svg } = await mermaid.render(`chart${index}`, source);
          out.push(svg);
        }
        return out;
      }, charts);
      return { svgs, blocked };
    });
    expect(drawn.blocked).toEqual([]);
    const [p99, throughput] = drawn.svgs;
    expect(p99).toContain('p99 latency per second');
    expect(p99).toMatch(/class="line-plot-0"/);
    expect(throughput).toMatch(/class="bar-plot-0"/);
    expect(throughput).toMatch(/class="line-plot-1"/);
    // Every second is labelled on the x axis.
    for (const second of ['0', '5', '11']) expect(p99).toContain(`>${second}</text>`);
  }, 60_000);
});
