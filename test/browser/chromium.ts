/**
 * Debian's headless Chromium, driven by playwright-core, for tests that look at a report as a
 * person would: report.html opened from disk, the PR comment rendered with GitHub's stylesheet.
 * No browser is downloaded; `scripts/ensure-chromium.sh` installs the Debian package.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a closed network: without the background-networking ones Chromium keeps trying to
 * reach Google's hosts, and each attempt is refused.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Why the browser tests cannot run here, with the command that fixes it; undefined when they can. */
export function chromiumMissing(): string | undefined {
  return chromiumInstalled()
    ? undefined
    : `Chromium not found at ${CHROMIUM_PATH}: run 'bash scripts/ensure-chromium.sh' (Debian package chromium) or set CHROMIUM_PATH`;
}

/**
 * Runs `work` with a fresh browser context whose every network request outside `file:` and
 * `data:` is refused and recorded, so a test can assert the page needed no network.
 */
export async function withBrowser<T>(
  work: (context: BrowserContext, blocked: string[]) => Promise<T>,
): Promise<T> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  // playwright gives each launch its own empty profile directory and removes it on close.
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ARGS,
    });
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:')) {
        return route.continue();
      }
      blocked.push(url);
      return route.abort();
    });
    return await work(context, blocked);
  } finally {
    await browser?.close();
  }
}
