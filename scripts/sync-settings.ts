/**
 * Rewrites action.yml's inputs and docs/settings.md's table from the settings declaration
 * (src/settings/declaration.ts). src/settings/docs.test.ts fails until this has been run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withActionInputs, withSettingsTable } from '../src/settings/docs.js';

for (const [file, rewrite] of [
  ['action.yml', withActionInputs],
  ['docs/settings.md', withSettingsTable],
] as const) {
  const before = readFileSync(file, 'utf8');
  const after = rewrite(before);
  if (after !== before) {
    writeFileSync(file, after);
    console.log(`rewrote ${file}`);
  }
}
