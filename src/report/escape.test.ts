import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';
import { escapeMarkdown } from './escape.js';
import { baselineReport, baselineWithHistory, regressedWithEndpoints } from './report-fixtures.js';

const EVIL = '[click](https://evil.example) @octocat <img src=x> a|b `tick` **bold**';

describe('escapeMarkdown', () => {
  it('leaves no link, mention, HTML, pipe, code span or emphasis working', () => {
    const escaped = escapeMarkdown(EVIL);
    expect(escaped).not.toMatch(/(?<!\\)\[/);
    expect(escaped).not.toMatch(/@octocat/);
    expect(escaped).not.toMatch(/[<>]/);
    expect(escaped).not.toMatch(/(?<!\\)[|`*]/);
    expect(escaped).not.toContain('https://');
    expect(escapeMarkdown('Intel(R) Xeon(R) CPU @ 2.10GHz')).toBe(
      'Intel\\(R\\) Xeon\\(R\\) CPU @&#8203; 2.10GHz',
    );
  });
});

describe('a crafted baseline in a pull request', () => {
  it('plants no link, mention or HTML in the report', () => {
    const baseline = baselineWithHistory();
    baseline.aggregate.environment.cpuModel = EVIL;
    baseline.aggregate.environment.os = `Linux ${EVIL}`;
    baseline.aggregate.config.scenario = EVIL;
    baseline.aggregate.endpoints = baseline.aggregate.endpoints.map((endpoint) => ({
      ...endpoint,
      name: EVIL,
    }));
    baseline.commit = `abc@octocat](https://evil.example)`;
    const current = regressedWithEndpoints(2, () => ({ name: EVIL }));
    const markdown = renderMarkdown(baselineReport(current, baseline));
    expect(markdown).toContain('octocat');
    expect(markdown).not.toMatch(/@octocat/);
    expect(markdown).not.toContain('](https://evil');
    expect(markdown).not.toContain('<img');
    expect(markdown).not.toContain('https://evil');
  });
});
