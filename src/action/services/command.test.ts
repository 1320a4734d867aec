import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleepMs } from '../../engine/clock.js';
import { groupAlive } from '../../engine/sut/process.js';
import { State } from '../constants.js';
import { readServicesState } from '../state.js';
import { fakeCore } from '../testing.js';
import { CommandSut, stopCommandSut } from './command.js';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'command-sut-'));

describe('CommandSut', () => {
  it('saves the log path before the spawn and the pid right after', async () => {
    const dir = tempDir();
    const logPath = path.join(dir, 'out', 'services.log');
    const core = fakeCore();
    const stateAtSpawn: Record<string, string>[] = [];
    const sut = new CommandSut(
      { command: 'node sut.js', cwd: dir, logPath, env: { A: '1' } },
      core,
      core,
      (command, options) => {
        stateAtSpawn.push({ ...core.state });
        expect(command).toBe('node sut.js');
        expect(options).toEqual({ logFile: logPath, cwd: dir, env: { A: '1' } });
        return {
          pid: 4242,
          logFile: logPath,
          exitedError: () => new Error('died'),
          stop: async () => undefined,
        };
      },
    );
    expect(sut.watch.exitedError()).toBeNull();

    await sut.launch();

    expect(stateAtSpawn[0]).toEqual({ [State.LogsPath]: logPath, [State.ServicesKind]: 'command' });
    expect(readServicesState(core)).toEqual({
      kind: 'command',
      logsPath: logPath,
      command: { pid: 4242 },
    });
    expect(sut.watch.exitedError()?.message).toBe('died');
  });

  it('a spawn that fails leaves state without a pid: post only shows the log', async () => {
    const dir = tempDir();
    const logPath = path.join(dir, 'services.log');
    const core = fakeCore();
    const sut = new CommandSut({ command: 'x', cwd: dir, logPath, env: {} }, core, core, () => {
      throw new Error('spawn failed');
    });
    await expect(sut.launch()).rejects.toThrow('spawn failed');
    expect(readServicesState(core)).toEqual({
      kind: 'command',
      logsPath: logPath,
      command: { pid: null },
    });
  });
});

describe('stopCommandSut', () => {
  it('stops the group first, then shows the log in a group', async () => {
    const logPath = path.join(tempDir(), 'services.log');
    writeFileSync(logPath, 'listening\nbye\n');
    const core = fakeCore();
    const stopped: number[] = [];
    await stopCommandSut({ pid: 99 }, logPath, core, async (pid) => {
      stopped.push(pid);
    });
    expect(stopped).toEqual([99]);
    expect(core.groups).toEqual(['SUT log']);
    expect(core.lines).toEqual(['Stopped the SUT (process group 99)', 'listening\nbye']);
  });

  it('says so when there is no log', async () => {
    const core = fakeCore();
    await stopCommandSut({ pid: null }, '/nonexistent/services.log', core);
    expect(core.lines).toEqual(['The SUT left no log at /nonexistent/services.log']);
  });

  it('really stops a started process group, and is safe to repeat', async () => {
    const dir = tempDir();
    const logPath = path.join(dir, 'services.log');
    const core = fakeCore();
    const sut = new CommandSut(
      { command: 'echo started; sleep 30 & sleep 30', cwd: dir, logPath, env: process.env },
      core,
      core,
    );
    await sut.launch();
    const state = readServicesState(core);
    if (state.kind !== 'command' || state.command.pid === null)
      throw new Error('expected a started SUT');
    const pid = state.command.pid;
    expect(groupAlive(pid)).toBe(true);
    // Let the shell get as far as its first line before stopping it.
    for (let i = 0; i < 250 && !readFileSync(logPath, 'utf8').includes('started'); i++)
      await sleepMs(20);

    await stopCommandSut(state.command, state.logsPath, core);
    expect(groupAlive(pid)).toBe(false);
    expect(core.lines).toContain('started');

    await stopCommandSut(state.command, state.logsPath, core);
    expect(groupAlive(pid)).toBe(false);
  });
});
