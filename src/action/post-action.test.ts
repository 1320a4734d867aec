import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupAlive, groupMembers, startSut } from '../services/process.js';
import type { SavedService } from '../services/service.js';
import { postAction } from './post-action.js';
import { serviceStateSaver } from './state.js';
import { fakeCore, recordingExec } from './testing.js';

function composeWorld() {
  const dir = mkdtempSync(path.join(tmpdir(), 'post-'));
  const composeFile = path.join(dir, 'compose.yml');
  writeFileSync(composeFile, 'services: {}\n');
  const core = fakeCore();
  const logsPath = path.join(dir, 'out', 'services.log');
  serviceStateSaver(core)({
    mode: 'compose',
    instance: 'sut',
    logsPath,
    command: ['docker-compose'],
    project: 'ethhook-load-test-1-1-abcdef',
    files: [composeFile, path.join(dir, 'gone.override.yml')],
    overrideFile: path.join(dir, 'gone.override.yml'),
    cwd: dir,
  } as SavedService);
  return { dir, composeFile, core, logsPath };
}

describe('postAction', () => {
  it('does nothing when main started nothing', async () => {
    const core = fakeCore();
    const exec = recordingExec();
    await postAction({ core, exec, env: {} });
    expect(exec.calls).toEqual([]);
    expect(core.lines).toEqual(['The main step started no services: nothing to clean up.']);
  });

  it('external services are left alone', async () => {
    const core = fakeCore();
    serviceStateSaver(core)({ mode: 'external', instance: 'sut', logsPath: '/tmp/x.log' });
    const exec = recordingExec();
    await postAction({ core, exec, env: {} });
    expect(exec.calls).toEqual([]);
  });

  it('compose: logs of every container first, then down -v --remove-orphans; safe to repeat', async () => {
    const { composeFile, core, logsPath } = composeWorld();
    const exec = recordingExec((call) =>
      call.args.includes('logs') ? { stdout: 'processor_1 | matched 5 endpoints\n' } : undefined,
    );
    await postAction({ core, exec, env: {} });
    const base = `docker-compose -p ethhook-load-test-1-1-abcdef -f ${composeFile}`;
    expect(exec.lines()).toEqual([
      'docker ps -a -q --filter label=com.docker.compose.project=ethhook-load-test-1-1-abcdef',
      `${base} logs --no-color --timestamps`,
      `${base} down -v --remove-orphans`,
    ]);
    expect(readFileSync(logsPath, 'utf8')).toContain('processor_1 | matched 5 endpoints');
    expect(core.groups).toEqual([
      'Service logs (compose project ethhook-load-test-1-1-abcdef)',
      'Stopping the services (compose project ethhook-load-test-1-1-abcdef)',
    ]);

    await postAction({ core, exec, env: {} });
    expect(exec.lines().slice(3)).toEqual(exec.lines().slice(0, 3));
    // No container left (the fake lists none): the file says so rather than leaving a blank.
    expect(readFileSync(logsPath, 'utf8')).toMatch(
      /: service, container, state, exit code\n\(none\)\n/,
    );
  });

  it('compose: a failure to collect logs still takes the services down', async () => {
    const { core } = composeWorld();
    const exec = recordingExec((call) =>
      call.args.includes('logs') ? 'not-installed' : undefined,
    );
    await postAction({ core, exec, env: {} });
    expect(exec.lines().at(-1)).toMatch(/ down -v --remove-orphans$/);
    expect(core.annotations[0]?.message).toMatch(
      /^Could not collect the logs of compose project ethhook-load-test-1-1-abcdef/,
    );
  });

  it('compose: a failed down that leaves containers behind fails the post step', async () => {
    const { core } = composeWorld();
    const exec = recordingExec((call) => {
      if (call.args.includes('down')) return { exitCode: 1, stderr: 'daemon gone' };
      if (call.program === 'docker' && call.args.includes('-q')) return { stdout: 'c1\n' };
      return undefined;
    });
    await expect(postAction({ core, exec, env: {} })).rejects.toThrow(
      /taking the services down failed/,
    );
  });

  it('command: shows the log, then ends the whole saved process group, also after its shell exited', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'post-'));
    const logPath = path.join(dir, 'services.log');
    // The shell exits at once; the server it started lives on in its group (issue 10).
    const sut = startSut('echo delivery worker 1 up; sleep 604 & exit 0', { logFile: logPath });
    // Until the shell has exited and only its `sleep` is left, as the title says: the echo alone
    // is not enough, the shell may not yet have forked or exited (then the group holds 2).
    await expect
      .poll(
        () => {
          const members = groupMembers(sut.pid);
          return { shell: members.includes(sut.pid), members: members.length };
        },
        { timeout: 5_000 },
      )
      .toEqual({ shell: false, members: 1 });
    const core = fakeCore();
    serviceStateSaver(core)({
      mode: 'command',
      instance: 'sut',
      logsPath: logPath,
      command: 'server',
      pid: sut.pid,
    } as never);
    expect(groupAlive(sut.pid)).toBe(true);
    await postAction({ core, exec: recordingExec(), env: {} });
    expect(groupAlive(sut.pid)).toBe(false);
    expect(core.lines).toContain('delivery worker 1 up');
    expect(core.lines.at(-1)).toMatch(
      new RegExp(`^Stopped the SUT: process group ${sut.pid}: 1 process ended by SIGTERM in `),
    );
  });

  it('a saved state of an unknown mode is an error naming the known ones', async () => {
    const core = fakeCore({}, { services: JSON.stringify([{ mode: 'k8s', instance: 'sut' }]) });
    await expect(postAction({ core, exec: recordingExec(), env: {} })).rejects.toThrow(
      'saved services state names mode "k8s"; known modes: compose, command, external',
    );
  });
});
