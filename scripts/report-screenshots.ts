/**
 * Screenshots of the PR comment as GitHub renders it (GFM, GitHub's stylesheet, mermaid, in
 * headless Chromium at a comment's width), for the README: docs/images/report-<name>.png.
 *
 *   npx tsx scripts/report-screenshots.ts                 pass, regression, inconclusive
 *   npx tsx scripts/report-screenshots.ts --check a.md    measure a comment: cut tables, charts
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withBrowser } from '../test/browser/chromium.js';
import { renderComment, sampleComments } from '../test/browser/comment-render.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'images');

const args = process.argv.slice(2);
await withBrowser(async (context, blocked) => {
  if (args[0] === '--check') {
    for (const file of args.slice(1)) {
      const { check } = await renderComment(context, readFileSync(file, 'utf8'), {
        openDetails: true,
      });
      console.log(file, JSON.stringify(check, null, 2));
    }
  } else {
    mkdirSync(out, { recursive: true });
    const comments = sampleComments();
    for (const name of ['pass', 'regression', 'inconclusive'] as const) {
      const { page } = await renderComment(context, comments[name]);
      const path = join(out, `report-${name}.png`);
      await page.locator('#comment').screenshot({ path });
      console.log(`wrote ${path}`);
      await page.close();
    }
  }
  if (blocked.length > 0) throw new Error(`network requests refused: ${blocked.join(', ')}`);
});
