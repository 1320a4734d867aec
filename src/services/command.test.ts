import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleepMs } from '../engine/clock.js';
import { silentLogger, type Logger } from '../engine/log.js';
import { CommandService, commandMode, type SavedCommand } from './command.js';
import { groupAlive } from './process.js';
import type { SavedService, ServiceContext } from './service.js';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'command-sut-'));

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { ...silentLogger, lines, info: (message) => void lines.push(message) };
}

function context(dir: string, saves: SavedService[], log: Logger = silentLogger): ServiceContext {
  return {
    instance: 'sut',
    cwd: dir,
    env: process.env,
    logsPath: path.join(dir, 'out', 'services.log'),
    tempDir: dir,
    readyTimeoutMs: 5_000,
    settingName: (setting) => setting,
    exec: { run: () => Promise.reject(new Error('command mode runs no programs through exec')) },
    log,
    save: (saved) => void saves.push(structuredClone(saved)),
  };
}

async function untilLogged(file: string, text: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    try {
      if (readFileSync(file, 'utf8').includes(text)) return;
    } catch {
      // not created yet
    }
    await sleepMs(20);
  }
  throw new Error(`${file} never showed ${text}`);
}

describe('command mode', () => {
  it('saves the log path before the spawn and the pid right after', async () => {
    const dir = tempDir();
    const saves: SavedService[] = [];
    const ctx = context(dir, saves);
    const atSpawn: SavedService[][] = [];
    const service = new CommandService(silentLogger, {
      settings: { mode: 'command', command: 'node sut.js' },
      context: ctx,
      start: (command, options) => {
        atSpawn.push([...saves]);
        expect(command).toBe('node sut.js');
        expect(options).toEqual({ logFile: ctx.logsPath, cwd: dir, env: process.env });
        return {
          pid: 4242,
          logFile: ctx.logsPath,
          exitedError: () => new Error('died'),
          stop: async () => 'stopped',
        };
      },
    });
    expect(service.exitedError()).toBeNull();
    await service.start();
    const before = {
      mode: 'command',
      instance: 'sut',
      logsPath: ctx.logsPath,
      command: 'node sut.js',
    };
    expect(atSpawn[0]).toEqual([{ ...before, pid: null }]);
    expect(saves.at(-1)).toEqual({ ...before, pid: 4242 });
    expect(service.exitedError()?.message).toBe('died');
    await expect(service.waitReady()).rejects.toThrow('died');
  });

  it('a spawn that fails leaves a saved state without a pid: stop has nothing to do', async () => {
    const saves: SavedService[] = [];
    const service = new CommandService(silentLogger, {
      settings: { mode: 'command', command: 'x' },
      context: context(tempDir(), saves),
      start: () => {
        throw new Error('spawn failed');
      },
    });
    await expect(service.start()).rejects.toThrow('spawn failed');
    expect((saves.at(-1) as SavedCommand).pid).toBeNull();
    await service.stop();
  });

  it('stop ends the whole group although the started shell already exited (`server & exit 0`)', async () => {
    const dir = tempDir();
    const log = recordingLog();
    const service = commandMode.create(
      { mode: 'command', command: 'echo started; sleep 604 & exit 0' },
      context(dir, [], log),
    );
    await service.start();
    const pid = Number(/process group (\d+)/.exec(log.lines[0] ?? '')?.[1]);
    // The echo comes before the shell forks `sleep` and exits: until its exit was seen (then the
    // group holds the `sleep` alone), not a fixed time after the echo.
    await expect
      .poll(() => service.exitedError()?.message, { timeout: 10_000 })
      .toMatch(/exited with code 0/);
    expect(groupAlive(pid)).toBe(true);
    await service.stop();
    expect(groupAlive(pid)).toBe(false);
    expect(log.lines.at(-1)).toMatch(
      new RegExp(`^Stopped the SUT: process group ${pid}: 1 process ended by SIGTERM in `),
    );
  });

  it('stop ends the group when the started shell was killed and its child holds on', async () => {
    const dir = tempDir();
    const log = recordingLog();
    const service = commandMode.create(
      { mode: 'command', command: 'sleep 605 & echo started; wait' },
      context(dir, [], log),
    );
    await service.start();
    const pid = Number(/process group (\d+)/.exec(log.lines[0] ?? '')?.[1]);
    await untilLogged(path.join(dir, 'out', 'services.log'), 'started');
    process.kill(pid, 'SIGKILL');
    await expect
      .poll(() => service.exitedError()?.message, { timeout: 10_000 })
      .toMatch(/killed by SIGKILL/);
    expect(groupAlive(pid)).toBe(true);
    await service.stop();
    expect(groupAlive(pid)).toBe(false);
  });

  it('a restored instance (the post step) stops the saved group and is safe to repeat', async () => {
    const dir = tempDir();
    const saves: SavedService[] = [];
    const started = commandMode.create(
      { mode: 'command', command: 'echo started; sleep 30 & sleep 30' },
      context(dir, saves),
    );
    await started.start();
    const saved = commandMode.parseSaved(saves.at(-1));
    const pid = saved.pid as number;
    await untilLogged(saved.logsPath, 'started');
    const log = recordingLog();
    const restored = commandMode.restore(saved, { exec: context(dir, []).exec, log, env: {} });
    await restored.collectLogs();
    expect(log.lines).toContain('started');
    await restored.stop();
    expect(groupAlive(pid)).toBe(false);
    await restored.stop();
    expect(log.lines.at(-1)).toBe(
      `Stopped the SUT: process group ${pid}: no process left, nothing to stop`,
    );
  });

  it('a saved state that is not one is refused with the field at fault', () => {
    expect(() =>
      commandMode.parseSaved({ mode: 'command', instance: 'sut', logsPath: '/x' }),
    ).toThrow(/command/);
  });
});
