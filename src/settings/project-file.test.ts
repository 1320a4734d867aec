import { describe, expect, it } from 'vitest';
import { FILE_KEYS, SETTINGS } from './declaration.js';
import { layered, parseProjectFile, projectFileSchema, readProjectFile } from './project-file.js';
import { baselineFileOf } from './resolve.js';

const FILE = 'ethhook-load-test.json';
const parse = (document: unknown) => parseProjectFile(JSON.stringify(document), FILE).given;
const messageOf = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

describe('the project file', () => {
  it('has one key per file setting, named as the setting, derived from the declaration', () => {
    const keys = Object.keys(projectFileSchema.shape).filter((key) => key !== '$schema');
    expect(keys).toEqual(FILE_KEYS.map((key) => SETTINGS[key].name));
    // One invocation's choices and the faults the CLI injects on purpose are not project settings.
    for (const name of ['mode', 'config', 'github-token', 'out', 'fail-rate']) {
      expect(keys).not.toContain(name);
    }
  });

  it('parses JSON numbers, booleans, texts and lists with the declared kinds', () => {
    expect(
      parse({
        $schema: './schema.json',
        scenario: 'medium',
        trials: 5,
        'apply-schema': true,
        'compose-file': 'compose.yml',
        'sut-health-url': ['http://127.0.0.1:8081/ready', 'http://127.0.0.1:8080/health'],
        tolerance: '1.3x',
      }),
    ).toEqual({
      scenario: 'medium',
      trials: 5,
      applySchema: true,
      composeFile: ['compose.yml'],
      sutHealthUrls: ['http://127.0.0.1:8081/ready', 'http://127.0.0.1:8080/health'],
      tolerance: 1.3,
    });
  });

  it('reads a file that starts with a byte-order mark, as editors on Windows save it', () => {
    expect(parseProjectFile('\uFEFF{"trials": 4}', 'ethhook-load-test.json').given).toEqual({
      trials: 4,
    });
  });

  it('names the file, the key and the valid values in every error', () => {
    expect(messageOf(() => parse({ trials: 0 }))).toBe(
      `${FILE}: key trials: "0". Expected a whole number from 1 to 100.`,
    );
    expect(messageOf(() => parse({ comment: 'sometimes' }))).toBe(
      `${FILE}: key comment: "sometimes". Expected one of always, on-regression, never.`,
    );
    expect(messageOf(() => parse({ warmup: 10 }))).toMatch(
      new RegExp(
        `^${FILE}: unknown key "warmup" \\("warmup" is now "warmup-events"\\)\\. Valid keys: scenario, `,
      ),
    );
    expect(messageOf(() => parse({ trials: { n: 3 } }))).toBe(
      `${FILE}: key trials must be a text, a number or a boolean.`,
    );
    expect(messageOf(() => parse({ scenario: 'huge' }))).toContain(
      `key scenario in ${FILE}: unknown scenario "huge"`,
    );
    expect(messageOf(() => parseProjectFile('{"trials": 3,}', FILE))).toMatch(
      new RegExp(`^${FILE} is not valid JSON`),
    );
    expect(messageOf(() => parseProjectFile('[]', FILE))).toContain('must hold a JSON object');
  });

  it('is found by default, and must exist when named', () => {
    const texts: Record<string, string> = { [`/repo/${FILE}`]: '{"trials": 4}' };
    const read = (file: string) => texts[file] ?? null;
    expect(readProjectFile(undefined, '/repo', read)?.given).toEqual({ trials: 4 });
    expect(readProjectFile(undefined, '/elsewhere', read)).toBeNull();
    expect(messageOf(() => readProjectFile('ci/load.json', '/repo', read))).toBe(
      'The project file ci/load.json does not exist (looked for /repo/ci/load.json). Expected the path of a JSON file of settings, relative to /repo.',
    );
  });

  it('lies under what the inputs or flags give; the SUT start is one choice', () => {
    const file = parse({ trials: 5, rounds: 4, 'start-command': 'npm start' });
    expect(layered({ trials: 2, rounds: undefined }, file)).toEqual({
      trials: 2,
      rounds: 4,
      startCommand: 'npm start',
    });
    expect(layered({ composeFile: ['compose.yml'] }, file)).toEqual({
      trials: 5,
      rounds: 4,
      composeFile: ['compose.yml'],
    });
  });

  it('means the same baseline file for the action and the CLI: a bare name is baselines/<name>.json', () => {
    expect(baselineFileOf('reference-quick')).toBe('baselines/reference-quick.json');
    expect(baselineFileOf('perf/b.json')).toBe('perf/b.json');
    expect(baselineFileOf('b.json')).toBe('b.json');
  });
});
