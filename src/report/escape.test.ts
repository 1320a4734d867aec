import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';
import { renderCheckTerminal } from './check.js';
import { escapeMarkdown, isControl } from './escape.js';
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

describe('text from files in the terminal report', () => {
  it('carries no control character: no escape sequence clears the screen, retitles or recolours it', () => {
    const report = baselineReport(baselineWithHistory().aggregate, baselineWithHistory());
    const hostile = {
      ...report,
      name: 'q\u001b[2J\u001b[31mRED\u001b]0;pwned\u0007\r\n::warning::x\u009b1m',
      why: 'the baseline file \u001b[2Jb.json',
    };
    const text = renderCheckTerminal(hostile, { bold: (t) => t, status: (_o, t) => t });
    const controls = [...text].filter((char) => char !== '\n' && isControl(char.charCodeAt(0)));
    expect(controls).toEqual([]);
    expect(text.split('\n')[0]).toContain('q?[2J?[31mRED?]0;pwned? ::warning::x?1m');
  });

  it('shows at most 200 characters of a name', () => {
    const report = baselineReport(baselineWithHistory().aggregate, null);
    const text = renderCheckTerminal(
      { ...report, name: 'A'.repeat(10_000_000) },
      { bold: (t) => t, status: (_o, t) => t },
    );
    expect(text.length).toBeLessThan(5_000);
    expect(text).toContain(`${'A'.repeat(199)}…`);
  });
});
