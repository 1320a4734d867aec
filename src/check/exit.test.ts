import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from './exit.js';

const readme = readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'),
  'utf8',
);

describe("the README's exit-code table", () => {
  it('lists every code of EXIT_CODES, and no other', () => {
    const section = readme.slice(readme.indexOf('## Exit codes'));
    const table = section.slice(0, section.indexOf('\n## '));
    const listed = [...table.matchAll(/^\| ([\d, ]+) \|/gm)]
      .flatMap((row) => row[1]!.split(','))
      .map((code) => Number(code.trim()));
    expect(listed.sort((a, b) => a - b)).toEqual(
      [...new Set(Object.values(EXIT_CODES))].sort((a, b) => a - b),
    );
  });
});
