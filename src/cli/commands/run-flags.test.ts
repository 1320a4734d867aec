import { createServer, type Server } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';
import { registerRunCommand } from './run.js';
import { combinationProblem, CONFLICTS, NEEDS } from '../../settings/conflicts.js';
import { SETTINGS } from '../../settings/declaration.js';

const dir = mkdtempSync(path.join(tmpdir(), 'run-flags-'));
const aFile = path.join(dir, 'a-file');
writeFileSync(aFile, 'not a directory\n');

/** `run` in this process; what it printed to stderr and its exit code. */
async function run(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const base = ['run', '--chain-id', String(randomInt(900_000_000, 2_000_000_000))];
    // A short ready timeout: were a flag not refused, the run would fail on readiness instead.
    const code = await runCli(
      ['node', 'cli', ...base, '--ready-timeout', '1', '--progress', 'off', ...args],
      [registerRunCommand],
    );
    return { code, stderr };
  } finally {
    spy.mockRestore();
  }
}

let busy: Server;
afterAll(() => busy?.close());

describe('run: flags that cannot apply are refused before anything starts', () => {
  it('refuses each flag that needs another without it, and each conflicting pair naming both', async () => {
    const cases: [string[], string][] = [
      [['--rounds', '5'], '--rounds needs --start-command or --compose-file'],
      [['--base-start', './base.sh'], '--base-start needs --start-command or --compose-file'],
      [
        ['--start', 'true', '--rounds', '5'],
        '--rounds needs --base-start, --base-compose-file or --base-dir',
      ],
      [['--start', 'true', '--prepare', 'make'], '--prepare-command needs --base-start'],
      [['--start-log', 'sut.log'], '--start-log needs --start-command or --compose-file'],
      [['--stall-at-sec', '3'], '--stall-at-sec needs --stall-ms'],
      [['--fail-status', '500'], '--fail-status needs --fail-rate'],
      [
        ['--start', 'true', '--base-start', 'true', '--base-dir', dir],
        '--base-start and --base-dir are both given; give one',
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await run(...args);
      expect(code, args.join(' ')).toBe(64);
      expect(stderr, args.join(' ')).toContain(message);
    }
  });

  it('checks paths and ports first: no raw ENOTDIR or EADDRINUSE after the SUT started', async () => {
    const notDir = await run('--start', 'true', '--base-dir', aFile);
    expect(notDir.stderr).toContain(`--base-dir ${aFile}: not a directory`);
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    const taken = await run('--receiver-port', String(port));
    expect(taken.code).toBe(64);
    expect(taken.stderr).toContain(`--receiver-port ${port}: already in use on 127.0.0.1`);
  });

  it('refuses --compare-to base with no base to measure, instead of recording (64)', async () => {
    const outcome = await run('--compare-to', 'base');
    expect(outcome.code).toBe(64);
    expect(outcome.stderr).toContain('--compare-to "base" cannot measure the base here');
  });

  it('refuses a compose file that is not there before docker compose runs (64, not 75)', async () => {
    const missing = path.join(dir, 'no-such-compose.yml');
    const outcome = await run('--compose-file', missing);
    expect(outcome.code).toBe(64);
    expect(outcome.stderr).toContain(`--compose-file ${missing}: no such file.`);
    const folder = await run('--compose-file', dir);
    expect(folder.code).toBe(64);
    expect(folder.stderr).toContain(`--compose-file ${dir}: not a file.`);
  });
});

describe('the combination table', () => {
  it('names only declared settings', () => {
    const keys = [
      ...NEEDS.flatMap((rule) => [rule.setting, ...rule.anyOf]),
      ...CONFLICTS.flatMap((rule) => rule.settings),
    ];
    for (const key of keys) expect(SETTINGS[key], key).toBeDefined();
  });

  it('treats a switch left off and an empty list as not given', () => {
    const name = (key: string) => key;
    expect(combinationProblem({ composeFile: [], startCommand: './start.sh' }, name)).toBeNull();
    expect(combinationProblem({ baseStart: 'b', composeFile: [] }, name)).toContain(
      'baseStart needs',
    );
    expect(combinationProblem({ baseStart: 'b', composeFile: ['c.yml'] }, name)).toBeNull();
  });
});
