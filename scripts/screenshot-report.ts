/**
 * Writes report.html for the report fixtures (a regression, a nightly history with a shift,
 * per-second timelines with a 2-second stall) and screenshots it with Debian's headless Chromium for the
 * README: `npx tsx scripts/screenshot-report.ts [out.png] [--html out.html]` (default
 * docs/images/report-html.png).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderCheckHtml } from '../src/report/html.js';
import { baselineWithShift, regressedWithTimelines } from '../src/report/html-fixtures.js';
import { baselineReport } from '../src/report/report-fixtures.js';
import { withBrowser } from '../test/browser/chromium.js';

const args = process.argv.slice(2);
const htmlFlag = args.indexOf('--html');
const htmlOut = htmlFlag >= 0 ? args.splice(htmlFlag, 2)[1] : undefined;
const out = resolve(args[0] ?? 'docs/images/report-html.png');

const baseline = baselineWithShift();
const current = regressedWithTimelines({ trial: 2, at: 9, length: 2 }, 20);
const html = renderCheckHtml(baselineReport(current, baseline), { history: baseline });

const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
const path = htmlOut ? resolve(htmlOut) : join(dir, 'report.html');
writeFileSync(path, html);
try {
  await withBrowser(async (context, blocked) => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1000, height: 800 });
    await page.goto(pathToFileURL(path).href);
    // From the verdict down to the nightly latency trend: the pictures, not the folded details.
    const last = await page.locator('#chart-history-ms').boundingBox();
    const height = last ? Math.ceil(last.y + last.height + 24) : undefined;
    await page.screenshot({
      path: out,
      fullPage: true,
      ...(height ? { clip: { x: 0, y: 0, width: 1000, height } } : {}),
    });
    if (blocked.length > 0)
      throw new Error(`the page asked for the network: ${blocked.join(', ')}`);
  });
  console.log(`wrote ${out}${htmlOut ? ` and ${path}` : ''}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
