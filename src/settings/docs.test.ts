import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACTION_INPUT_KEYS, SETTINGS } from './declaration.js';
import { actionDefault, actionDescription, withActionInputs, withInputsTable } from './docs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

describe('documents derived from the settings declaration', () => {
  it("action.yml's inputs are the declared ones, with their defaults and descriptions", () => {
    const actionYml = read('action.yml');
    // Run `npm run settings:sync` when this fails after a change to src/settings/declaration.ts.
    expect(withActionInputs(actionYml)).toBe(actionYml);
    for (const key of ACTION_INPUT_KEYS) {
      const input = SETTINGS[key].input!;
      expect(actionYml, input).toContain(`\n  ${input}:\n`);
      expect(actionDescription(key), input).not.toBe('');
      expect(typeof actionDefault(key), input).toBe('string');
    }
  });

  it("the README's inputs table is the declared one", () => {
    const readme = read('README.md');
    expect(withInputsTable(readme)).toBe(readme);
  });

  it('says why wherever the action and the CLI differ', () => {
    for (const [key, declared] of Object.entries(SETTINGS)) {
      const sameName =
        declared.input !== null &&
        declared.flag !== null &&
        declared.flag.includes(`--${declared.input} `);
      const differs = declared.input === null || declared.flag === null || !sameName;
      if (differs && declared.flag !== `--${declared.input}`) {
        expect(declared.differs, key).toBeTruthy();
      }
    }
  });
});
