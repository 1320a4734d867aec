import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { changelogSection } from './release.js';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

describe('CHANGELOG.md', () => {
  const changelog = read('CHANGELOG.md');
  const { version } = JSON.parse(read('package.json')) as { version: string };

  it("has a section, with text, for package.json's version (the release notes)", () => {
    expect(
      changelogSection(changelog, version),
      `CHANGELOG.md needs "## [${version}] - YYYY-MM-DD" with what changed`,
    ).toMatch(/\S/);
  });

  it('keeps an [Unreleased] section on top for what is merged but not released', () => {
    expect(changelog).toMatch(/^# Changelog\n[^]*?\n## \[Unreleased\]\n/);
    expect(changelog.indexOf('## [Unreleased]')).toBeLessThan(changelog.indexOf(`## [${version}]`));
  });

  it('dates every release section and links every version it names', () => {
    const headings = [...changelog.matchAll(/^## \[([^\]]+)\](.*)$/gm)];
    for (const [line, name, rest] of headings) {
      if (name !== 'Unreleased') expect(rest, line).toMatch(/^ - \d{4}-\d{2}-\d{2}$/);
      expect(changelog, `link reference for ${name}`).toMatch(
        new RegExp(`^\\[${name!.replace(/\./g, '\\.')}\\]: https://`, 'm'),
      );
    }
  });
});
