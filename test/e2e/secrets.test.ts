import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_CLI_ARGS } from '../../src/stack/test-support.js';

const PASSWORD = 'S3cretPassw0rdXYZ';

/** The CLI run in `cwd` with `env` added: everything it printed. */
function cli(args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    // By absolute path: the working directory is a temporary one, where no node_modules is.
    [...TEST_CLI_ARGS, ...args],
    { cwd, env: { ...process.env, REDIS_URL: '', DATABASE_URL: '', NO_COLOR: '1', ...env } },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

/** Every file under `dir`, with its text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

describe('a password in a connection URL', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appears in no output and no file of the CLI, on any route', async () => {
    const redis = `redis://:${PASSWORD}@127.0.0.1:1`;
    const postgres = `postgres://load:${PASSWORD}@127.0.0.1:1/x`;
    const out = path.join(dir, 'result.json');
    const invocations: { args: string[]; env?: Record<string, string> }[] = [
      // commander's own "argument … is invalid", for each URL flag
      { args: ['run', '--redis-url', `redis://:${PASSWORD}@[bad`] },
      { args: ['run', '--database-url', `postgres://u:${PASSWORD}@[bad`] },
      { args: ['seed', '--database-url', `postgres://u:${PASSWORD}@[bad`] },
      // the environment route, invalid and unreachable
      { args: ['run', '--progress', 'off'], env: { REDIS_URL: `redis://:${PASSWORD}@[bad` } },
      // unreachable services, with every file the run may write in `dir`
      {
        args: [
          'run',
          '--redis-url',
          redis,
          '--database-url',
          postgres,
          '--ready-timeout',
          '1',
          '--out',
          out,
          '--markdown',
          path.join(dir, 'report.md'),
          '--progress',
          'off',
        ],
      },
      {
        args: ['run', '--progress', 'off', '--ready-timeout', '1', '--out', out],
        env: { REDIS_URL: redis, DATABASE_URL: postgres },
      },
    ];
    const leaks: string[] = [];
    for (const { args, env } of invocations) {
      const { code, output } = await cli(args, dir, env);
      expect(code, output).not.toBe(0);
      // It ran and said why it stopped (not a loader failure before the CLI).
      expect(output, args.join(' ')).toMatch(/error/i);
      expect(output).not.toContain('ERR_MODULE_NOT_FOUND');
      if (output.includes(PASSWORD)) leaks.push(`${args.join(' ')}:\n${output}`);
    }
    for (const { file, text } of filesUnder(dir)) {
      if (text.includes(PASSWORD)) leaks.push(`${file}:\n${text}`);
    }
    expect(leaks).toEqual([]);
  });
});
