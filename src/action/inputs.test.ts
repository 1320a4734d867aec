import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_INPUT_KEYS, SETTINGS } from '../settings/declaration.js';
import { InputError, readActionConfig, type ActionConfig, type MeasureConfig } from './inputs.js';

const WORKSPACE = '/work/repo';
const INPUTS = new Set(ACTION_INPUT_KEYS.map((key) => SETTINGS[key].name));

/**
 * The action given `settings`: those that are inputs as inputs, the others as keys of the default
 * project file (ethhook-load-test.json in the workspace), unless `project` gives its text.
 */
function read(
  settings: Record<string, string>,
  existing: string[] = ['baselines/quick.json'],
  project?: { file: string; text: string },
): ActionConfig {
  const files = new Set([WORKSPACE, ...existing.map((file) => path.resolve(WORKSPACE, file))]);
  const inFile = Object.entries(settings).filter(([name]) => !INPUTS.has(name));
  const texts = new Map<string, string>();
  if (project) texts.set(path.resolve(WORKSPACE, project.file), project.text);
  else if (inFile.length > 0)
    texts.set(`${WORKSPACE}/ethhook-load-test.json`, JSON.stringify(Object.fromEntries(inFile)));
  return readActionConfig(
    { getInput: (name) => (INPUTS.has(name) ? (settings[name] ?? '') : '') },
    {
      env: { GITHUB_WORKSPACE: WORKSPACE, RUNNER_TEMP: '/runner/temp' },
      fileExists: (file) => files.has(file) || texts.has(file),
      readFile: (file) => texts.get(file) ?? null,
    },
  );
}

/** How a bad value of the project file is reported. */
const inFile = (key: string, value: string): string =>
  `ethhook-load-test.json: key ${key}: "${value}".`;

function measure(
  inputs: Record<string, string>,
  existing?: string[],
  project?: { file: string; text: string },
): MeasureConfig {
  const config = read(inputs, existing, project);
  if (config.mode === 'comment') throw new Error('expected a measuring mode');
  return config;
}

function errorOf(work: () => unknown): InputError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('readActionConfig', () => {
  it('gives every input its documented default', () => {
    const config = measure({});
    expect(config.mode).toBe('check');
    expect(config.load).toMatchObject({
      scenario: 'quick',
      events: 1000,
      ratePerSec: 500,
      concurrency: 5,
      trials: 3,
      warmupEvents: 2_500, // 5 s of the quick scenario's 500/s
      chainId: 11155111,
      redisUrl: 'redis://127.0.0.1:6379',
      databaseUrl: 'postgres://ethhook:ethhook@127.0.0.1:5432/ethhook',
      readyTimeoutMs: 120_000,
      drainTimeoutMs: 10_000,
      applySchema: false,
      seedBeforeStart: false,
      receiver: { host: '127.0.0.1', port: 0, path: '/webhook' },
    });
    expect(config.load.receiver.publicUrl).toBeUndefined();
    expect(config.services).toEqual({ mode: 'external' });
    expect(config.baseline).toEqual({
      name: 'quick',
      path: `${WORKSPACE}/baselines/quick.json`,
      displayPath: 'baselines/quick.json',
      store: 'branch',
      dataBranch: 'load-test-data',
    });
    expect(config.judge).toEqual({
      tolerance: 1.5,
      gatedMetrics: null,
      minRounds: 3,
      maxRounds: 8,
      failOnRegression: true,
      failOnInconclusive: true,
    });
    expect(config.comment).toBe('always');
    expect(config.outputDir).toBe('/runner/temp/ethhook-load-test');
    expect(config.workingDirectory).toBe(WORKSPACE);
  });

  it('overrides the scenario field by field', () => {
    const config = measure({ scenario: 'medium', events: '500', rate: '250', concurrency: '2' }, [
      'baselines/medium.json',
    ]);
    expect(config.load).toMatchObject({
      scenario: 'medium',
      events: 500,
      ratePerSec: 250,
      concurrency: 2,
      durationSec: null,
    });
  });

  it('accepts the three tolerance forms', () => {
    expect(measure({ tolerance: '1.5' }).judge.tolerance).toBe(1.5);
    expect(measure({ tolerance: '1.5x' }).judge.tolerance).toBe(1.5);
    expect(measure({ tolerance: '150%' }).judge.tolerance).toBe(1.5);
    expect(measure({ tolerance: '2' }).judge.tolerance).toBe(2);
  });

  it('rejects a tolerance below 1 or malformed, naming the input and the value', () => {
    for (const value of ['0.9', '50%', 'abc', '-2']) {
      const error = errorOf(() => read({ tolerance: value }));
      expect(error.message).toContain('tolerance');
      expect(error.message).toContain(value);
      expect(error.message).toMatch(/1\.5x|150%/);
    }
  });

  it('rejects an unknown mode with the valid ones', () => {
    const error = errorOf(() => read({ mode: 'compare' }));
    expect(error.message).toBe(
      'Invalid input mode: "compare". Expected one of check, baseline, comment.',
    );
    expect(error.title).toBe('Invalid input');
  });

  it('rejects a non-numeric or negative rate', () => {
    expect(errorOf(() => read({ rate: 'fast' })).message).toMatch(
      /^ethhook-load-test\.json: key rate: "fast"\. Expected a number of 0 or more/,
    );
    expect(errorOf(() => read({ rate: '-5' })).message).toContain(inFile('rate', '-5'));
  });

  it('rejects bad counts, ports and booleans', () => {
    expect(errorOf(() => read({ trials: '0' })).message).toContain(inFile('trials', '0'));
    expect(errorOf(() => read({ events: '1.5' })).message).toContain(inFile('events', '1.5'));
    expect(errorOf(() => read({ 'receiver-port': '70000' })).message).toContain(
      inFile('receiver-port', '70000'),
    );
    expect(errorOf(() => read({ 'fail-on-regression': 'yes' })).message).toBe(
      `${inFile('fail-on-regression', 'yes')} Expected true or false.`,
    );
    expect(errorOf(() => read({ 'ready-timeout': '0' })).message).toContain(
      inFile('ready-timeout', '0'),
    );
  });

  it('rejects a bad comment value', () => {
    expect(errorOf(() => read({ comment: 'sometimes' })).message).toBe(
      'Invalid input comment: "sometimes". Expected one of always, on-regression, never.',
    );
  });

  it('rejects an unknown scenario, naming the input', () => {
    expect(errorOf(() => read({ scenario: 'huge' })).message).toContain(
      'scenario: unknown scenario "huge"',
    );
  });

  it('rejects cross-field contradictions naming the file and its keys', () => {
    expect(errorOf(() => read({ events: '3', concurrency: '5' })).message).toContain(
      'key concurrency in ethhook-load-test.json',
    );
  });

  it('requires the baseline file in check mode with compare-to baseline, and says how to create one', () => {
    const error = errorOf(() =>
      read({
        baseline: 'baselines/nightly.json',
        'compare-to': 'baseline',
        'baseline-store': 'file',
      }),
    );
    expect(error.message).toContain(
      'Invalid input baseline: "baselines/nightly.json" does not exist',
    );
    expect(error.message).toContain('mode: baseline');
    // compare-to auto (the default) may measure the base instead: it decides later.
    expect(measure({ baseline: 'nightly' }, []).paired).toEqual({
      compareTo: 'auto',
      prepareCommand: null,
      baseRef: null,
    });
  });

  it('reads the paired A/B inputs and names a bad one', () => {
    const config = measure(
      { 'compare-to': 'base', rounds: '5', 'prepare-command': 'make', 'base-ref': 'main' },
      [],
    );
    expect(config.paired).toEqual({ compareTo: 'base', prepareCommand: 'make', baseRef: 'main' });
    expect(config.judge).toMatchObject({ minRounds: 5, maxRounds: 8 });
    const tooMany = errorOf(() => read({ rounds: '9' })).message;
    expect(tooMany).toMatch(/^max-rounds .*8 is below .*rounds.* 9: the rounds measured before/);
    expect(errorOf(() => read({ 'compare-to': 'head' })).message).toBe(
      'Invalid input compare-to: "head". Expected one of auto, baseline, base.',
    );
    expect(errorOf(() => read({ rounds: '0' })).message).toContain(inFile('rounds', '0'));
  });

  it('does not require the baseline file in baseline mode', () => {
    const config = measure({ mode: 'baseline', baseline: 'nightly' }, []);
    expect(config.baseline).toMatchObject({
      name: 'nightly',
      displayPath: 'baselines/nightly.json',
    });
  });

  it('takes a bare baseline name as baselines/<name>.json and a path as it is', () => {
    expect(measure({ baseline: 'steady' }, ['baselines/steady.json']).baseline.path).toBe(
      `${WORKSPACE}/baselines/steady.json`,
    );
    expect(measure({ baseline: 'perf/b.json' }, ['perf/b.json']).baseline).toMatchObject({
      name: 'b',
      path: `${WORKSPACE}/perf/b.json`,
    });
    expect(errorOf(() => read({ baseline: 'perf/bad name.json' })).message).toContain(
      'Invalid input baseline',
    );
  });

  it('checks that every compose file exists and switches the receiver to the containers', () => {
    const error = errorOf(() =>
      read({ 'compose-file': 'compose.yml\nmissing.yml' }, ['baselines/quick.json', 'compose.yml']),
    );
    expect(error.message).toContain('Invalid input compose-file: "missing.yml" does not exist');

    const config = measure({ 'compose-file': 'compose.yml, extra.yml' }, [
      'baselines/quick.json',
      'compose.yml',
      'extra.yml',
    ]);
    expect(config.services).toEqual({
      mode: 'compose',
      files: [`${WORKSPACE}/compose.yml`, `${WORKSPACE}/extra.yml`],
    });
    expect(config.load.receiver).toMatchObject({
      host: '0.0.0.0',
      publicUrl: 'http://host.docker.internal:{port}/webhook',
    });
  });

  it('refuses compose-file and start-command together in the file; an input replaces its choice', () => {
    const project = {
      file: 'ethhook-load-test.json',
      text: '{"compose-file": ["compose.yml"], "start-command": "npm start"}',
    };
    const error = errorOf(() => read({}, ['baselines/quick.json', 'compose.yml'], project));
    expect(error.message).toContain(
      'key compose-file in ethhook-load-test.json and key start-command in ethhook-load-test.json are both set',
    );
    const replaced = measure(
      { 'compose-file': 'other.yml' },
      ['baselines/quick.json', 'other.yml'],
      {
        file: 'ethhook-load-test.json',
        text: '{"start-command": "npm start"}',
      },
    );
    expect(replaced.services).toEqual({ mode: 'compose', files: [`${WORKSPACE}/other.yml`] });
  });

  it('reads the file named by input config, and names it in errors', () => {
    const project = {
      file: 'ci/load.json',
      text: '{"trials": 7, "sut-health-url": ["http://x/ready"]}',
    };
    const config = measure({ config: 'ci/load.json' }, undefined, project);
    expect(config.load.trials).toBe(7);
    expect(config.load.sutHealthUrls).toEqual(['http://x/ready']);
    expect(errorOf(() => read({ config: 'ci/none.json' })).message).toContain(
      'The project file ci/none.json does not exist',
    );
    const unknown = errorOf(() =>
      read({ config: 'ci/load.json' }, undefined, {
        file: 'ci/load.json',
        text: '{"metrics": "p50"}',
      }),
    );
    expect(unknown.message).toMatch(
      /^ci\/load\.json: unknown key "metrics" \("metrics" is now "gate"\)\. Valid keys: scenario, /,
    );
    const wrong = errorOf(() =>
      read({ config: 'ci/load.json' }, undefined, { file: 'ci/load.json', text: '{"trials": 0}' }),
    );
    expect(wrong.message).toBe(
      'ci/load.json: key trials: "0". Expected a whole number from 1 to 100.',
    );
  });

  it('takes a start command', () => {
    expect(measure({ 'start-command': 'node sut.js' }).services).toEqual({
      mode: 'command',
      command: 'node sut.js',
    });
  });

  it('collects the passwords of the connection URLs as secrets and checks the protocols', () => {
    const config = measure({
      'redis-url': 'redis://:r3d1s@cache:6379',
      'database-url': 'postgres://u:p%40ss@db/x',
    });
    // Both forms of a percent-encoded password: a log line may carry either.
    expect(config.secrets).toEqual(['r3d1s', 'p%40ss', 'p@ss']);
    const error = errorOf(() => read({ 'database-url': 'mysql://u:hunter2@db/x' }));
    expect(error.message).toContain('ethhook-load-test.json: key database-url');
    expect(error.message).not.toContain('hunter2');
  });

  it('parses gated metrics with the key name in errors', () => {
    const config = measure({ gate: 'p50,throughput' });
    expect(config.judge.gatedMetrics).toEqual(['p50', 'throughput']);
    expect(errorOf(() => read({ gate: 'speed' })).message).toContain('gate');
  });

  it('needs comment-file in mode comment and nothing of the load', () => {
    expect(errorOf(() => read({ mode: 'comment' })).message).toContain(
      'Input comment-file is required in mode comment',
    );
    expect(
      errorOf(() => read({ mode: 'comment', 'comment-file': 'out/comment.json' })).message,
    ).toContain('Invalid input comment-file: "out/comment.json" does not exist');
    const config = read({ mode: 'comment', 'comment-file': 'out/comment.json', rate: 'ignored' }, [
      'out/comment.json',
    ]);
    expect(config).toMatchObject({ mode: 'comment', commentFile: `${WORKSPACE}/out/comment.json` });
  });

  it('resolves paths against working-directory', () => {
    const config = measure({ 'working-directory': 'svc', 'output-dir': 'out' }, [
      'svc',
      'svc/baselines/quick.json',
    ]);
    expect(config.workingDirectory).toBe(`${WORKSPACE}/svc`);
    expect(config.baseline.path).toBe(`${WORKSPACE}/svc/baselines/quick.json`);
    expect(config.outputDir).toBe(`${WORKSPACE}/svc/out`);
    expect(errorOf(() => read({ 'working-directory': 'nope' })).message).toContain(
      'Invalid input working-directory',
    );
  });
});
