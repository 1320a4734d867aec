import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { readActionConfig, type MeasureConfig } from '../action/inputs.js';
import { addRunFlags, runOptionsFrom, type RunFlags } from '../cli/commands/run.js';
import { silentLogger, type Logger } from '../engine/log.js';

/** The action and the CLI both derive from src/settings: same defaults, same rules, same words. */

const WORKSPACE = '/work/repo';
const silent: Logger = silentLogger;

/** The action with `settings` in its project file (ethhook-load-test.json), where most settings live. */
function viaAction(settings: Record<string, string>): MeasureConfig {
  const config = readActionConfig(
    { getInput: () => '' },
    {
      env: { GITHUB_WORKSPACE: WORKSPACE },
      fileExists: () => true,
      readFile: () => JSON.stringify(settings),
    },
  );
  if (config.mode === 'comment') throw new Error('expected a measuring mode');
  return config;
}

/** `run` as the CLI parses it, stopped before anything runs; errors as commander prints them. */
function viaCli(args: string[]): ReturnType<typeof runOptionsFrom> {
  let errors = '';
  let options: ReturnType<typeof runOptionsFrom> | null = null;
  const command = addRunFlags(new Command('run'))
    .exitOverride()
    .configureOutput({ writeErr: (text) => (errors += text), writeOut: () => undefined })
    .action((flags: RunFlags) => {
      options = runOptionsFrom(flags, silent);
    });
  try {
    command.parse(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) throw new Error(errors.trim());
    throw error;
  }
  return options!;
}

function messageOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('one settings declaration, two surfaces', () => {
  it('gives the action and the CLI the same defaults', () => {
    const saved = { redis: process.env.REDIS_URL, database: process.env.DATABASE_URL };
    delete process.env.REDIS_URL;
    delete process.env.DATABASE_URL;
    try {
      const action = viaAction({}).load;
      const cli = viaCli([]);
      expect(action.trials).toBe(3);
      expect(action.readyTimeoutMs).toBe(120_000);
      for (const field of [
        'scenario',
        'events',
        'ratePerSec',
        'concurrency',
        'durationSec',
        'trials',
        'warmupEvents',
        'chainId',
        'seed',
        'mix',
        'redisUrl',
        'databaseUrl',
        'applySchema',
        'sutHealthUrls',
        'readyTimeoutMs',
        'drainTimeoutMs',
        'receiver',
        'thresholds',
      ] as const) {
        expect(cli[field], field).toEqual(action[field]);
      }
    } finally {
      if (saved.redis !== undefined) process.env.REDIS_URL = saved.redis;
      if (saved.database !== undefined) process.env.DATABASE_URL = saved.database;
    }
  });

  it('refuses the same bad value with the same valid values, naming the key or the flag', () => {
    const action = messageOf(() => viaAction({ trials: '0' }));
    const cli = messageOf(() => viaCli(['--trials', '0']));
    expect(action).toBe(
      'ethhook-load-test.json: key trials: "0". Expected a whole number from 1 to 100.',
    );
    expect(cli).toBe(
      "error: option '--trials <n>' argument '0' is invalid. Expected a whole number from 1 to 100.",
    );
  });

  it('applies the same cross-field rule with the same words', () => {
    const action = messageOf(() => viaAction({ events: '3', concurrency: '5' }));
    const cli = messageOf(() => viaCli(['--events', '3', '--concurrency', '5']));
    expect(cli).toBe(
      '--concurrency 5 is above the events of the run (--events 3); use at most 3 publishers.',
    );
    expect(action).toBe(
      cli.replace(/--([a-z-]+)/g, (_, name: string) => `key ${name} in ethhook-load-test.json`),
    );
  });

  it('refuses a count and a duration together on both', () => {
    const action = messageOf(() => viaAction({ events: '100', duration: '5' }));
    const cli = messageOf(() => viaCli(['-n', '100', '-d', '5']));
    expect(cli).toMatch(/^--events 100 and --duration 5 both given/);
    expect(action).toBe(
      cli.replace(/--([a-z-]+)/g, (_, name: string) => `key ${name} in ethhook-load-test.json`),
    );
  });

  it('refuses, up front on both, what issue 10 found accepted or refused too late', () => {
    const cases: [input: string, flag: string, value: string, expected: string][] = [
      ['events', '--events', '1e30', 'Expected a whole number from 1 to 10,000,000.'],
      ['concurrency', '--concurrency', '12000', 'Expected a whole number from 1 to 1,024.'],
      ['webhook-url', '--webhook-url', 'notaurl', 'Expected a http: or https: URL'],
      ['sut-health-url', '--sut-health-url', 'ftp://x', 'Expected a http: or https: URL'],
      ['receiver-host', '--receiver-host', '10.255.0.99', 'Expected an address of this machine'],
      [
        'ready-timeout',
        '--ready-timeout',
        '1e30',
        'Expected a number above 0 and at most 3,600 (seconds).',
      ],
      ['trials', '--trials', '1e9', 'Expected a whole number from 1 to 100.'],
    ];
    for (const [input, flag, value, expected] of cases) {
      expect(
        messageOf(() => viaAction({ [input]: value })),
        input,
      ).toContain(`ethhook-load-test.json: key ${input}: "${value}". ${expected}`);
      expect(
        messageOf(() => viaCli([flag, value])),
        flag,
      ).toMatch(
        new RegExp(
          `option '.*${flag} <[a-z]+>' argument '${value.replaceAll('.', '\\.')}' is invalid\\. ${expected.replaceAll(/[.()]/g, '\\$&')}`,
        ),
      );
    }
    const huge = messageOf(() => viaCli(['--rate', '100000', '--duration', '20000']));
    expect(huge).toBe(
      'the run asks for 2,000,000,000 events (--rate 100000 x --duration 20000), above the limit of 10,000,000 a run may publish.',
    );
    expect(messageOf(() => viaAction({ rate: '100000', duration: '20000' }))).toBe(
      huge.replace(/--([a-z-]+)/g, (_, name: string) => `key ${name} in ethhook-load-test.json`),
    );
  });
});
