import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sleepMs } from '../engine/clock.js';
import { silentLogger } from '../engine/log.js';
import { CommandService } from './command.js';
import { externalMode } from './external.js';
import { groupMembers } from './process.js';
import type { ServiceContext } from './service.js';

const dir = mkdtempSync(path.join(tmpdir(), 'liveness-'));
const context: ServiceContext = {
  instance: 'base',
  cwd: dir,
  env: process.env,
  logsPath: path.join(dir, 'services.log'),
  tempDir: dir,
  readyTimeoutMs: 5_000,
  settingName: (setting) => setting,
  exec: { run: () => Promise.reject(new Error('no exec')) },
  log: silentLogger,
  save: () => undefined,
};

/** A health URL answering `status`, and its server. */
async function healthServer(status: number): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => response.writeHead(status).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/health`, server };
}

const servers: Server[] = [];
afterAll(() => servers.forEach((server) => server.close()));

async function untilMembers(pid: number, count: number): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const members = groupMembers(pid);
    if (members.length >= count) return members;
    await sleepMs(20);
  }
  throw new Error(`process group ${pid} never had ${count} processes in 10 s`);
}

describe('liveness: command mode', () => {
  it('is null while the group runs and names a process of it that died, its side and when', async () => {
    const service = new CommandService(silentLogger, {
      settings: { mode: 'command', command: 'sleep 30 & sleep 30 & wait' },
      context,
    });
    await service.start();
    try {
      const members = await untilMembers(service.pid!, 3);
      // Three checks make the three processes residents.
      for (let check = 0; check < 3; check++) expect(await service.liveness()).toBeNull();
      // One server of the group killed while its wrapper lives: the round must hear of it.
      const shellPid = Math.min(...members);
      const victim = members.find((member) => member !== shellPid)!;
      process.kill(victim, 'SIGKILL');
      await expect.poll(() => groupMembers(service.pid!), { timeout: 10_000 }).toHaveLength(2);
      // Once short may be a helper between two runs of a loop; twice in a row, one is gone.
      expect(await service.liveness()).toBeNull();
      expect(await service.liveness()).toMatch(
        /^base: process group \d+ lost a process \(3 long-running before, 2 now\), [\d.]+ s after it started$/,
      );
    } finally {
      await service.stop();
    }
  });

  it('is null for a wrapper whose helper comes and goes, as a loop of short commands does', async () => {
    // A server (sleep 30) and a wrapper that starts a helper at each SIGUSR1. The test ends each
    // helper itself after two checks saw it (one short of a resident), then checks twice without
    // it. Not a helper on a timer (150 ms every 300 ms, checks about 110 ms apart): a busy machine
    // that kept one alive through three checks made it a resident. A rule that counted it (fewer
    // checks to a resident, or members instead of residents) fails in the first round.
    const command = `sleep 30 & trap 'sleep 31 &' USR1; echo helpers ready; while :; do wait; done`;
    const service = new CommandService(silentLogger, {
      settings: { mode: 'command', command },
      context,
    });
    await service.start();
    try {
      const pid = service.pid!;
      // The echo comes after the trap: a SIGUSR1 before it would end the wrapper.
      await expect
        .poll(() => readFileSync(context.logsPath, 'utf8'), { timeout: 10_000 })
        .toContain('helpers ready');
      const wrapperAndServer = await untilMembers(pid, 2);
      expect(wrapperAndServer).toHaveLength(2);
      for (let round = 0; round < 3; round++) {
        process.kill(pid, 'SIGUSR1');
        const members = await untilMembers(pid, 3);
        const helper = members.find((member) => !wrapperAndServer.includes(member))!;
        expect(await service.liveness(), `round ${round}, helper there`).toBeNull();
        expect(await service.liveness(), `round ${round}, helper there`).toBeNull();
        process.kill(helper, 'SIGKILL');
        await expect.poll(() => groupMembers(pid), { timeout: 10_000 }).toHaveLength(2);
        expect(await service.liveness(), `round ${round}, helper gone`).toBeNull();
        expect(await service.liveness(), `round ${round}, helper gone`).toBeNull();
      }
    } finally {
      await service.stop();
    }
  });

  it('names the command that exited, with its code', async () => {
    // It exits when the test says so (a file), not after a fixed time: the first check must see
    // it running, whatever the machine's load.
    const service = new CommandService(silentLogger, {
      settings: {
        mode: 'command',
        command: 'until [ -e exit-now ]; do sleep 0.05; done; exit 137',
      },
      context,
    });
    await service.start();
    expect(await service.liveness()).toBeNull();
    writeFileSync(path.join(dir, 'exit-now'), '');
    await expect
      .poll(() => service.liveness(), { timeout: 10_000 })
      .toMatch(
        /^base: the SUT command \(until \[ -e exit-now \]; do sleep 0\.05; done; exit 137\) exited with code 137, [\d.]+ s after it started$/,
      );
    await service.stop();
  });

  it('names a health URL that stopped answering 2xx', async () => {
    const bad = await healthServer(503);
    servers.push(bad.server);
    const service = new CommandService(silentLogger, {
      settings: { mode: 'command', command: 'sleep 30' },
      context,
    });
    await service.start();
    try {
      expect(await service.liveness([bad.url])).toMatch(
        new RegExp(`^base: health URL ${bad.url} answered HTTP 503, [\\d.]+ s after it started$`),
      );
    } finally {
      await service.stop();
    }
  });
});

describe('liveness: services already running', () => {
  it('asks their health URLs only', async () => {
    const good = await healthServer(200);
    servers.push(good.server);
    const service = externalMode.create({ mode: 'external' }, context);
    expect(await service.liveness([good.url])).toBeNull();
    good.server.close();
    await sleepMs(50);
    expect(await service.liveness([good.url])).toMatch(
      new RegExp(`^base: health URL ${good.url} did not answer \\(.+\\)`),
    );
  });
});
