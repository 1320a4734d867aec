import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { postAction } from './post-action.js';
import { saveCommandState, saveComposeState, saveExternalState, saveSutPid } from './state.js';
import { fakeCore, recordingExec } from './testing.js';

function composeWorld() {
  const dir = mkdtempSync(path.join(tmpdir(), 'post-'));
  const composeFile = path.join(dir, 'compose.yml');
  writeFileSync(composeFile, 'services: {}\n');
  const core = fakeCore();
  const logsPath = path.join(dir, 'out', 'services.log');
  saveComposeState(core, logsPath, {
    command: ['docker-compose'],
    project: 'ethhook-load-test-1-1-abcdef',
    files: [composeFile, path.join(dir, 'gone.override.yml')],
    overrideFile: path.join(dir, 'gone.override.yml'),
    cwd: dir,
  });
  return { dir, composeFile, core, logsPath };
}

describe('postAction', () => {
  it('does nothing when main started nothing', async () => {
    const core = fakeCore();
    const exec = recordingExec();
    await postAction({ core, exec });
    expect(exec.calls).toEqual([]);
    expect(core.lines).toEqual(['The main step started no services: nothing to clean up.']);
  });

  it('external services are left alone', async () => {
    const core = fakeCore();
    saveExternalState(core, '/tmp/x.log');
    const exec = recordingExec();
    await postAction({ core, exec });
    expect(exec.calls).toEqual([]);
  });

  it('compose: logs of every container first, then down -v --remove-orphans; safe to repeat', async () => {
    const { composeFile, core, logsPath } = composeWorld();
    const exec = recordingExec((call) =>
      call.args.includes('logs') ? { stdout: 'processor_1 | matched 5 endpoints\n' } : undefined,
    );
    await postAction({ core, exec });
    const base = `docker-compose -p ethhook-load-test-1-1-abcdef -f ${composeFile}`;
    expect(exec.lines()).toEqual([
      `${base} ps -a`,
      `${base} logs --no-color --timestamps`,
      `${base} down -v --remove-orphans`,
    ]);
    expect(readFileSync(logsPath, 'utf8')).toContain('processor_1 | matched 5 endpoints');
    expect(core.groups).toEqual([
      'Service logs (compose project ethhook-load-test-1-1-abcdef)',
      'Stopping the services (compose project ethhook-load-test-1-1-abcdef)',
    ]);

    await postAction({ core, exec });
    expect(exec.lines().slice(3)).toEqual(exec.lines().slice(0, 3));
  });

  it('compose: a failure to collect logs still takes the services down', async () => {
    const { core } = composeWorld();
    const exec = recordingExec((call) =>
      call.args.includes('logs') ? 'not-installed' : undefined,
    );
    await postAction({ core, exec });
    expect(exec.lines().at(-1)).toMatch(/ down -v --remove-orphans$/);
    expect(core.annotations[0]?.message).toMatch(/^Could not collect the services' logs/);
  });

  it('compose: a failed down that leaves containers behind fails the post step', async () => {
    const { core } = composeWorld();
    const exec = recordingExec((call) => {
      if (call.args.includes('down')) return { exitCode: 1, stderr: 'daemon gone' };
      if (call.program === 'docker' && call.args.includes('-q')) return { stdout: 'c1\n' };
      return undefined;
    });
    await expect(postAction({ core, exec })).rejects.toThrow(/taking the services down failed/);
  });

  it('command: stops the saved process group and shows its log', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'post-'));
    const logPath = path.join(dir, 'services.log');
    writeFileSync(logPath, 'delivery worker 1 up\n');
    const core = fakeCore();
    saveCommandState(core, logPath);
    saveSutPid(core, 555);
    const stopped: number[] = [];
    await postAction({
      core,
      exec: recordingExec(),
      stopProcessGroup: async (pid) => void stopped.push(pid),
    });
    expect(stopped).toEqual([555]);
    expect(core.lines).toContain('delivery worker 1 up');
  });
});
