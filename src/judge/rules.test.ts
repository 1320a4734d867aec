import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES, rulesTable } from './rules.js';

describe('the verdict rules', () => {
  it('are listed in docs/method.md in order, as rulesTable renders them', () => {
    const readme = readFileSync(new URL('../../docs/method.md', import.meta.url), 'utf8');
    // Prettier pads the README's table; compare cell by cell.
    const cells = (text: string) => text.replace(/ *\| */g, '|').replace(/-+/g, '-');
    expect(cells(readme)).toContain(cells(rulesTable()));
  });

  it('have unique names and end with a rule that always applies', () => {
    expect(new Set(RULES.map((rule) => rule.name)).size).toBe(RULES.length);
    expect(RULES.at(-1)?.outcome).toBe('inconclusive');
  });
});
