/// <reference lib="dom" />
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runResultSchema } from '../../src/engine/measure/result.js';
import type { ReferencePipeline } from '../../src/reference/pipeline.js';
import { findStalls, type TimelineStall } from '../../src/report/timeline.js';
import { TEST_REDIS_URL } from '../../src/stack/test-support.js';
import { chromiumMissing, withBrowser } from '../browser/chromium.js';
import { missingPrerequisite } from '../setup/prerequisites.js';
import { isolatedStack, runCli, type IsolatedStack } from './helpers.js';

const STALL_AT_SEC = 4;
const STALL_MS = 2_000;

// Done-when of issue 13: a 2-second stall injected in the middle of a trial shows in the
// timeline, at the right second, in the result, in report.md and in report.html.
describe('timeline of a run with an injected stall', () => {
  let stack: IsolatedStack;
  let pipeline: ReferencePipeline;
  let dir: string;
  /** The stall the run's timeline names, for the report.html check that follows. */
  let stall: TimelineStall | undefined;
  beforeAll(async () => {
    stack = await isolatedStack();
    pipeline = await stack.startPipeline();
    dir = await mkdtemp(join(tmpdir(), 'timeline-e2e-'));
  });
  afterAll(async () => {
    await pipeline?.stop();
    await stack?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows a 2 s stall from second 4 in the result and report.md', async () => {
    const out = join(dir, 'result.json');
    const report = join(dir, 'report.md');
    const outcome = await runCli(
      [
        'run',
        ...['--chain-id', String(stack.chainId), '--redis-url', TEST_REDIS_URL],
        ...['--database-url', stack.databaseUrl, '--apply-schema'],
        ...['--rate', '100', '--duration', '10', '--concurrency', '2', '--warmup', '20'],
        ...['--trials', '1', '--drain-timeout', '10', '--progress', 'off'],
        ...['--stall-at-sec', String(STALL_AT_SEC), '--stall-ms', String(STALL_MS)],
        // A baseline that does not exist: inconclusive (exit 2), and report.md is written.
        ...['--out', out, '--baseline', join(dir, 'none.json'), '--markdown', report],
      ],
      240_000,
    );
    expect(outcome.code, outcome.stderr).toBe(2);

    const result = runResultSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(result.config.faults).toMatchObject({ stallMs: STALL_MS, stallAtSec: STALL_AT_SEC });
    expect(result.delivery.lost).toBe(0);
    const timeline = result.timeline!;
    expect(timeline.bucketSec).toBe(1);
    // Nothing taken in seconds 4 and 5 while events kept being published; the held ones
    // arrive in second 6, two seconds late.
    expect(timeline.deliveredPerSec[STALL_AT_SEC]).toBe(0);
    expect(timeline.deliveredPerSec[STALL_AT_SEC + 1]).toBe(0);
    expect(timeline.publishedPerSec[STALL_AT_SEC + 1]).toBeGreaterThan(50);
    expect(timeline.backlog[STALL_AT_SEC + 1]).toBeGreaterThan(timeline.backlog[STALL_AT_SEC]!);
    expect(timeline.backlog[STALL_AT_SEC]).toBeGreaterThan(50);
    expect(timeline.p99Ms[STALL_AT_SEC + 2]).toBeGreaterThan(1_000);
    expect(timeline.backlog.at(-1)).toBe(0);

    const [found, ...others] = findStalls(timeline);
    expect(others).toEqual([]);
    stall = found;
    expect(Math.abs(stall!.startSec - STALL_AT_SEC)).toBeLessThanOrEqual(1);
    expect(Math.abs(stall!.durationSec - STALL_MS / 1000)).toBeLessThanOrEqual(1);

    const markdown = await readFile(report, 'utf8');
    const named = /stall: (\d+) s from second (\d+) \(p99 up to ([\d,.]+) ms/.exec(markdown);
    expect(named, markdown).not.toBeNull();
    expect(Math.abs(Number(named![1]) - STALL_MS / 1000)).toBeLessThanOrEqual(1);
    expect(Math.abs(Number(named![2]) - STALL_AT_SEC)).toBeLessThanOrEqual(1);
    expect(Number(named![3]!.replace(/,/g, ''))).toBeGreaterThan(1_000);
    expect(markdown).toContain('```mermaid\nxychart-beta\n  title "p99 latency per second');
  }, 300_000);

  // Apart from the run, so a machine without Chromium still runs (and checks) everything above.
  it.skipIf(missingPrerequisite('test/e2e/timeline.test.ts (report.html)', chromiumMissing()))(
    'shows the same stall in report.html',
    async () => {
      expect(stall, 'the run of the test above').toBeDefined();
      // report.html beside it, opened in headless Chromium: the shaded stall sits over the
      // seconds the timeline names, on screen, in each per-second chart.
      const band = await withBrowser(async (context, blocked) => {
        const page = await context.newPage();
        await page.goto(pathToFileURL(join(dir, 'report.html')).href);
        const boxes = await page.evaluate(() =>
          Array.from(document.querySelectorAll('svg[id^="chart-timeline-"]')).map((svg) => {
            const rect = svg.querySelector('rect.band[data-from]')!;
            const plot = svg.querySelector('line.x-axis')!.getBoundingClientRect();
            const domain = Number(svg.getAttribute('data-x-max'));
            const box = rect.getBoundingClientRect();
            return {
              from: Number(rect.getAttribute('data-from')),
              startSec: ((box.left - plot.left) / plot.width) * domain,
              endSec: ((box.right - plot.left) / plot.width) * domain,
            };
          }),
        );
        return { boxes, blocked: [...blocked] };
      });
      expect(band.blocked).toEqual([]);
      expect(band.boxes).toHaveLength(3);
      for (const box of band.boxes) {
        expect(box.from).toBe(stall!.startSec);
        expect(Math.abs(box.startSec - stall!.startSec)).toBeLessThan(0.1);
        expect(Math.abs(box.endSec - (stall!.startSec + stall!.durationSec))).toBeLessThan(0.1);
      }
    },
  );
});
