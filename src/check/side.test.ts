import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRunResult } from '../compare/fixtures.js';
import { silentLogger } from '../engine/log.js';
import type { RunOptions } from '../engine/run/types.js';
import { spawnExec } from '../services/exec.js';
import { groupAlive } from '../services/process.js';
import type { SavedService } from '../services/service.js';
import { serviceSide, type SideDependencies } from './side.js';

/**
 * A side with a real command service (a shell that writes which tree it runs in, then sleeps) and
 * the run engine replaced by one that drives the SUT the way runTrials does.
 */
function setup(prepareCommand: string | null = null) {
  const dir = mkdtempSync(path.join(tmpdir(), 'paired-side-'));
  const saves: SavedService[] = [];
  const pids: number[] = [];
  let clock = 0;
  const runTrials: SideDependencies['runTrials'] = async (
    options: RunOptions & { trials: number },
  ) => {
    await options.sut!.start();
    await options.sut!.waitReady();
    options.onPhase?.('ready', 300);
    options.onPhase?.('seed', 40);
    options.onPhase?.('warmup', 2000);
    options.onPhase?.('measure', 2500);
    // The start's trials, as many as the load asks for.
    return Array.from({ length: options.trials }, (_, index) =>
      makeRunResult({ runId: `trial-${index + 1}` }),
    );
  };
  const deps: SideDependencies = {
    exec: spawnExec(() => undefined),
    log: silentLogger,
    env: process.env,
    tempDir: dir,
    readyTimeoutMs: 5_000,
    settingName: (setting) => setting,
    prepareSettingName: 'prepare-command',
    save: (saved) => {
      saves.push(structuredClone(saved));
      const pid = (saved as { pid?: number | null }).pid;
      if (pid) pids.push(pid);
    },
    runTrials,
    load: { trials: 3 } as SideDependencies['load'],
    // Every reading is 100 ms after the last: each timed step takes 100 ms.
    clock: () => (clock += 100),
  };
  const side = serviceSide(
    {
      name: 'base',
      services: { mode: 'command', command: 'pwd > where.txt; exec sleep 60' },
      cwd: dir,
      prepareCommand,
      logsPath: path.join(dir, 'base.log'),
    },
    deps,
  );
  return { dir, side, saves, pids };
}

describe('serviceSide', () => {
  it('runs the SUT in its own tree, times each phase, and stops it after the round', async () => {
    const { dir, side, saves, pids } = setup('echo prepared > prepared.txt');
    await side.prepare();
    expect(readFileSync(path.join(dir, 'prepared.txt'), 'utf8')).toBe('prepared\n');
    const measured = await side.measure(1);
    // A round's start measures the load's trials, as a start of a single-side check does.
    expect(measured.results.map((result) => result.runId)).toEqual([
      'trial-1',
      'trial-2',
      'trial-3',
    ]);
    expect(measured.phases).toMatchObject({
      start: 100,
      ready: 400,
      seed: 40,
      warmup: 2000,
      measure: 2500,
      stop: 100,
    });
    expect(saves[0]).toMatchObject({ mode: 'command', instance: 'base' });
    expect(pids).toHaveLength(1);
    expect(groupAlive(pids[0]!)).toBe(false);
    expect(readFileSync(path.join(dir, 'where.txt'), 'utf8').trim()).toBe(dir);

    // The next round starts it fresh.
    await side.measure(2);
    expect(pids).toHaveLength(2);
    expect(pids[1]).not.toBe(pids[0]);
    expect(groupAlive(pids[1]!)).toBe(false);
  });

  it('names the setting, the side and the exit code when the prepare command fails', async () => {
    const { side } = setup('echo broken build >&2; exit 3');
    await expect(side.prepare()).rejects.toThrow(
      /^prepare-command failed for the base \(in .*\): `echo broken build >&2; exit 3` exited with code 3:\nbroken build$/,
    );
  });
});
