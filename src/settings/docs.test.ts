import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACTION_INPUT_KEYS, ACTION_KEYS, SETTINGS, type SettingKey } from './declaration.js';
import { actionDefault, actionDescription, withActionInputs, withSettingsTable } from './docs.js';
import { longFlag } from './resolve.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');
const KEYS = Object.keys(SETTINGS) as SettingKey[];

describe('documents derived from the settings declaration', () => {
  it("action.yml's inputs are the declared ones, with their defaults and descriptions", () => {
    const actionYml = read('action.yml');
    // Run `npm run settings:sync` when this fails after a change to src/settings/declaration.ts.
    expect(withActionInputs(actionYml)).toBe(actionYml);
    for (const key of ACTION_INPUT_KEYS) {
      const input = SETTINGS[key].name;
      expect(actionYml, input).toContain(`\n  ${input}:\n`);
      expect(actionDescription(key), input).not.toBe('');
      expect(typeof actionDefault(key), input).toBe('string');
    }
  });

  it('keeps the inputs to what a typical workflow sets', () => {
    expect(ACTION_INPUT_KEYS.length).toBeLessThanOrEqual(12);
  });

  it("docs/settings.md's table is the declared one", () => {
    const doc = read('docs/settings.md');
    expect(withSettingsTable(doc)).toBe(doc);
  });

  it("shows the examples' files in the README as they are, and keeps it short", () => {
    const readme = read('README.md');
    for (const name of ['pr-check.yml', 'comment.yml', 'nightly.yml', 'ethhook-load-test.json']) {
      const fence = name.endsWith('.json') ? 'json' : 'yaml';
      expect(readme, name).toContain(`\`\`\`${fence}\n${read(`examples/${name}`)}\`\`\`\n`);
    }
    for (const name of readdirSync(path.join(root, 'examples'))) {
      expect(readme, name).toContain(`examples/${name === 'nightly-reviewed.yml' ? name : ''}`);
    }
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
  });

  it('gives every setting one name: file key, input and long flag', () => {
    const names = KEYS.map((key) => SETTINGS[key].name);
    expect(new Set(names).size).toBe(names.length);
    for (const key of KEYS) {
      const { name, flag } = SETTINGS[key];
      expect(name, key).toMatch(/^[a-z][a-z0-9-]*$/);
      if (flag !== null) expect([`--${name}`, `--no-${name}`], key).toContain(longFlag(flag));
    }
  });

  it('says why wherever a setting is on one surface only', () => {
    for (const key of KEYS) {
      const declared = SETTINGS[key] as { flag: string | null; differs?: string };
      if (declared.flag === null || !ACTION_KEYS.includes(key)) {
        expect(declared.differs, key).toBeTruthy();
      }
    }
  });
});
