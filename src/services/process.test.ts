import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sleepMs } from '../engine/clock.js';
import { groupAlive, startSut, stopProcessGroup } from './process.js';

const dir = mkdtempSync(join(tmpdir(), 'sut-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startSut', () => {
  it('keeps the log and stops the whole process tree', async () => {
    const sut = startSut('echo started; sleep 30 & sleep 30; wait', {
      logFile: join(dir, 'a.log'),
    });
    await sleepMs(200);
    expect(alive(sut.pid)).toBe(true);
    expect(sut.exitedError()).toBeNull();
    await sut.stop(2_000);
    expect(sut.exitedError()).toBeNull();
    await sleepMs(100);
    expect(groupAlive(sut.pid)).toBe(false);
  });

  it('reports a SUT that dies on its own, with the end of its log', async () => {
    const sut = startSut('echo "listening failed: port taken" >&2; exit 3', {
      logFile: join(dir, 'b.log'),
    });
    for (let i = 0; i < 50 && !sut.exitedError(); i++) await sleepMs(50);
    expect(sut.exitedError()?.message).toMatch(/exited with code 3/);
    expect(sut.exitedError()?.message).toMatch(/port taken/);
    await sut.stop();
  });

  it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const sut = startSut("trap '' TERM; sleep 30", { logFile: join(dir, 'c.log') });
    await sleepMs(200);
    await stopProcessGroup(sut.pid, 300);
    expect(groupAlive(sut.pid)).toBe(false);
  });
});
