/**
 * Test-only: golden files of the reports, under test/golden/ (prettier leaves them alone).
 * `UPDATE_GOLDEN=1 npx vitest run src/report` rewrites them; review the diff, then commit.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOOL_NAME, TOOL_VERSION } from '../engine/version.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'golden');

// Reports name the tool's version: the files hold a placeholder, so a release rewrites no golden.
const STAMP = `${TOOL_NAME} ${TOOL_VERSION}`;
const PLACEHOLDER = `${TOOL_NAME} <version>`;

/** The committed text the rendering must equal; when updating, `actual` is written and returned. */
export async function golden(file: string, actual: string): Promise<string> {
  const path = join(GOLDEN_DIR, file);
  if (process.env.UPDATE_GOLDEN === '1') {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, actual.replaceAll(STAMP, PLACEHOLDER), 'utf8');
    return actual;
  }
  try {
    return (await readFile(path, 'utf8')).replaceAll(PLACEHOLDER, STAMP);
  } catch {
    throw new Error(
      `No golden file ${path}; create it with UPDATE_GOLDEN=1 npx vitest run src/report`,
    );
  }
}
