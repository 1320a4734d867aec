import { describe, expect, it } from 'vitest';
import { chromiumMissing, withBrowser } from './chromium.js';
import { missingPrerequisite } from '../setup/prerequisites.js';

const skipped = missingPrerequisite('test/browser/chromium.test.ts', chromiumMissing());

describe.skipIf(skipped)('withBrowser', () => {
  it('renders a page and refuses network requests', async () => {
    const { text, blocked } = await withBrowser(async (context, blocked) => {
      const page = await context.newPage();
      await page.setContent('<p id="x">drawn</p><img src="http://127.0.0.1:9/x.png">');
      await page.waitForLoadState('load');
      return { text: await page.textContent('#x'), blocked };
    });
    expect(text).toBe('drawn');
    expect(blocked).toEqual(['http://127.0.0.1:9/x.png']);
  }, 60_000);
});
