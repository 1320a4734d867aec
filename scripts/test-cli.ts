/**
 * vitest globalSetup: the CLI bundled once per test run (esbuild, packages left to node_modules),
 * for the tests that start it as a process. Through tsx each start transpiles the CLI's modules
 * again: 2.3 s against 0.7 s for a bundle on this machine, over a hundred starts per run. The
 * tests read the bundle's path from TEST_CLI (src/stack/test-support.ts) and fall back to tsx.
 * Unlike dist/, it is built from the sources under test, so a stale dist/ cannot hide a change.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default async function setup(): Promise<() => void> {
  // Inside the project, so the bundle's bare imports resolve from its node_modules.
  mkdirSync(path.join(root, '.tmp'), { recursive: true });
  const dir = mkdtempSync(path.join(root, '.tmp', 'test-cli-'));
  const outfile = path.join(dir, 'cli.mjs');
  await build({
    entryPoints: [path.join(root, 'src', 'cli', 'index.ts')],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  process.env.TEST_CLI = outfile;
  return () => rmSync(dir, { recursive: true, force: true });
}
