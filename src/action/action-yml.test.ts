import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACTION_INPUT_KEYS, SETTINGS } from '../settings/declaration.js';
import { Inputs, Outputs } from './constants.js';
import { readActionConfig } from './inputs.js';
import { HEADLINE_OUTPUTS } from './outputs.js';

const actionYml = readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../action.yml'),
  'utf8',
);

/** action.yml's top-level section as { key: default } (a fixed two-space layout, no YAML library). */
function section(name: string): Map<string, string | undefined> {
  const lines = actionYml.split('\n');
  const start = lines.indexOf(`${name}:`);
  const entries = new Map<string, string | undefined>();
  let current: string | null = null;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const key = /^ {2}([a-z0-9-]+):$/.exec(line);
    if (key) {
      current = key[1] as string;
      entries.set(current, undefined);
      continue;
    }
    const fallback = /^ {4}default: (.*)$/.exec(line);
    if (fallback && current)
      entries.set(current, (fallback[1] as string).replace(/^'(.*)'$/, '$1').replace(/''/g, "'"));
  }
  return entries;
}

describe('action.yml', () => {
  it('declares exactly the inputs and outputs the code reads and writes', () => {
    expect([...section('inputs').keys()].sort()).toEqual(
      ACTION_INPUT_KEYS.map((key) => SETTINGS[key].name).sort(),
    );
    expect([...section('outputs').keys()].sort()).toEqual(
      [...Object.values(Outputs), ...HEADLINE_OUTPUTS].sort(),
    );
  });

  it('documents a default for every input', () => {
    for (const [name, fallback] of section('inputs')) expect(fallback, name).not.toBeUndefined();
  });

  it('has the metadata the Marketplace requires', () => {
    const top = (key: string) => new RegExp(`^${key}: '?(.*?)'?$`, 'm').exec(actionYml)?.[1];
    expect(top('name')).toBe('EthHook load test');
    // The Marketplace refuses a description of 125 characters or more (one line, plain text).
    const description = top('description') ?? '';
    expect(description.length).toBeGreaterThan(20);
    expect(description.length).toBeLessThan(125);
    expect(top('author')).toBe('ethhook');
    const branding = /\nbranding:\n {2}icon: (\S+)\n {2}color: (\S+)\n/.exec(actionYml);
    // A few of the Feather icons GitHub allows (docs: metadata syntax, branding.icon) that fit.
    expect(['activity', 'bar-chart-2', 'clock', 'trending-up', 'zap']).toContain(branding?.[1]);
    // branding.color allows exactly these.
    expect([
      'white',
      'black',
      'yellow',
      'blue',
      'green',
      'orange',
      'red',
      'purple',
      'gray-dark',
    ]).toContain(branding?.[2]);
  });

  it('runs on node24 with a post step', () => {
    expect(actionYml).toMatch(
      /\nruns:\n {2}using: node24\n {2}main: dist\/index\.js\n {2}post: dist\/post\.js\n/,
    );
  });

  it('has the same defaults as the code', () => {
    const defaults = section('inputs');
    const environment = { env: { GITHUB_WORKSPACE: '/w' }, fileExists: () => true };
    const viaRunner = readActionConfig(
      { getInput: (name) => (name === Inputs.GithubToken ? '' : (defaults.get(name) ?? '')) },
      environment,
    );
    const viaCode = readActionConfig({ getInput: () => '' }, environment);
    expect(viaRunner).toEqual(viaCode);
  });
});
