/// <reference lib="dom" />
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCheckHtml } from '../../src/report/html.js';
import {
  baselineWithShift,
  pairedReport,
  regressedWithTimelines,
} from '../../src/report/html-fixtures.js';
import { baselineReport } from '../../src/report/report-fixtures.js';
import { chromiumMissing, withBrowser } from './chromium.js';
import { missingPrerequisite } from '../setup/prerequisites.js';

/**
 * report.html as a person sees it: written for a fixture, opened from disk in Debian's headless
 * Chromium with the network refused, each chart screenshotted and its pixels counted.
 */

const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeReport(): string {
  const baseline = baselineWithShift(30, 20, 1.3);
  const current = regressedWithTimelines({ trial: 2, at: 9, length: 2 }, 20);
  const html = renderCheckHtml(baselineReport(current, baseline), { history: baseline });
  const path = join(dir, 'report.html');
  writeFileSync(path, html);
  return pathToFileURL(path).href;
}

interface PixelCount {
  width: number;
  height: number;
  /** Pixels unlike the chart's top-left corner (the page background). */
  drawn: number;
  /** Saturated pixels: data in colour, not the grey of grid lines, axes and text. */
  coloured: number;
}

/** Decodes a PNG inside the page (an <img> drawn onto a <canvas>) and counts its pixels. */
async function countPixels(page: Page, png: Buffer): Promise<PixelCount> {
  return page.evaluate(
    async (dataUrl) => {
      const image = new Image();
      image.src = dataUrl;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      const [r0, g0, b0] = [data[0]!, data[1]!, data[2]!];
      let drawn = 0;
      let coloured = 0;
      for (let index = 0; index < data.length; index += 4) {
        const [r, g, b] = [data[index]!, data[index + 1]!, data[index + 2]!];
        if (Math.abs(r - r0) + Math.abs(g - g0) + Math.abs(b - b0) > 30) drawn += 1;
        if (Math.max(r, g, b) - Math.min(r, g, b) > 80) coloured += 1;
      }
      return { width: canvas.width, height: canvas.height, drawn, coloured };
    },
    `data:image/png;base64,${png.toString('base64')}`,
  );
}

const CHARTS = [
  'chart-spectrum',
  'chart-timeline-p99',
  'chart-timeline-throughput',
  'chart-timeline-backlog',
  'chart-history-ms',
  'chart-history-deliveries-s',
];

const skipped = missingPrerequisite('test/browser/report-html.test.ts', chromiumMissing());

describe.skipIf(skipped)('report.html in headless Chromium', () => {
  it('renders every chart, in light and dark, without asking for the network', async () => {
    const url = writeReport();
    const { counts, blocked, titles, background } = await withBrowser(async (context, blocked) => {
      const page = await context.newPage();
      const counts: Record<string, PixelCount> = {};
      const background: Record<string, string> = {};
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(url);
        background[scheme] = await page.evaluate(
          () => getComputedStyle(document.body).backgroundColor,
        );
        const ids = await page
          .locator('svg.chart')
          .evaluateAll((nodes) => nodes.map((node) => node.id));
        expect(ids).toEqual(CHARTS);
        for (const id of ids) {
          const chart = page.locator(`svg#${id}`);
          counts[`${scheme} ${id}`] = await countPixels(page, await chart.screenshot());
        }
      }
      const titles = await page.locator('svg.chart > title').allTextContents();
      return { counts, blocked: [...blocked], titles, background };
    });
    expect(blocked).toEqual([]);
    expect(background).toEqual({ light: 'rgb(255, 255, 255)', dark: 'rgb(13, 17, 23)' });
    expect(titles).toHaveLength(CHARTS.length);
    for (const [chart, count] of Object.entries(counts)) {
      const area = count.width * count.height;
      // Laid out at a readable size, with axes, labels and data drawn, the data in colour.
      expect(count.width, chart).toBeGreaterThan(600);
      expect(count.height, chart).toBeGreaterThan(250);
      expect(count.drawn / area, chart).toBeGreaterThan(0.02);
      expect(count.coloured, chart).toBeGreaterThan(300);
    }
  });

  it('shows the 2-second stall at seconds 9 to 11 of the timelines', async () => {
    const url = writeReport();
    const found = await withBrowser(async (context, blocked) => {
      const page = await context.newPage();
      await page.goto(url);
      const note = await page.locator('p.stall').allTextContents();
      const geometry = await page.evaluate(() =>
        ['chart-timeline-p99', 'chart-timeline-throughput', 'chart-timeline-backlog'].map((id) => {
          const svg = document.getElementById(id)!;
          const band = svg.querySelector('rect.band[data-from]')!.getBoundingClientRect();
          const tick = (text: string) => {
            const label = Array.from(svg.querySelectorAll('text.x-tick')).find(
              (node) => node.textContent === text,
            )!;
            const box = label.getBoundingClientRect();
            return box.left + box.width / 2;
          };
          return {
            tooltip: svg.querySelector('rect.band[data-from] > title')!.textContent,
            left: band.left,
            right: band.right,
            zero: tick('0'),
            twenty: tick('20'),
          };
        }),
      );
      return { note, geometry, blocked: [...blocked] };
    });
    expect(found.blocked).toEqual([]);
    expect(found.note).toEqual([
      'Trial 2: stall: 2 s from second 9 (p99 up to 2,040 ms, backlog 200).',
    ]);
    expect(found.geometry).toHaveLength(3);
    for (const chart of found.geometry) {
      expect(chart.tooltip).toBe(
        'trial 2: stall: 2 s from second 9 (p99 up to 2,040 ms, backlog 200)',
      );
      // On screen, where the axis puts seconds 9 and 11 (within a pixel).
      const perSecond = (chart.twenty - chart.zero) / 20;
      expect(Math.abs(chart.left - (chart.zero + 9 * perSecond))).toBeLessThan(1.5);
      expect(Math.abs(chart.right - (chart.zero + 11 * perSecond))).toBeLessThan(1.5);
    }
  });

  it('renders the paired A/B page: base vs head, the rounds of each side per second', async () => {
    const path = join(dir, 'report-paired.html');
    writeFileSync(path, renderCheckHtml(pairedReport({ stall: true })));
    const { counts, blocked, ids } = await withBrowser(async (context, blocked) => {
      const page = await context.newPage();
      await page.goto(pathToFileURL(path).href);
      const ids = await page
        .locator('svg.chart')
        .evaluateAll((nodes) => nodes.map((node) => node.id));
      const counts: Record<string, PixelCount> = {};
      for (const id of ids) {
        counts[id] = await countPixels(page, await page.locator(`svg#${id}`).screenshot());
      }
      return { counts, blocked: [...blocked], ids };
    });
    expect(blocked).toEqual([]);
    expect(ids).toEqual([
      'chart-spectrum',
      'chart-timeline-p99',
      'chart-timeline-throughput',
      'chart-timeline-backlog',
    ]);
    for (const [chart, count] of Object.entries(counts)) {
      expect(count.drawn / (count.width * count.height), chart).toBeGreaterThan(0.02);
      expect(count.coloured, chart).toBeGreaterThan(300);
    }
  });
});
