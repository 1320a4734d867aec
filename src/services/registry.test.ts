import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../engine/log.js';
import { createService, restoreService, SERVICE_MODE_NAMES } from './registry.js';
import type { SavedService, ServiceContext } from './service.js';
import { recordingExec } from './testing.js';

function docker() {
  return recordingExec((call) => {
    const line = [call.program, ...call.args].join(' ');
    if (line === 'docker compose version --short') return { stdout: '2.29.7\n' };
    if (call.args.includes('config')) return { stdout: 'processor\n' };
    return undefined;
  });
}

describe('the service registry', () => {
  it('knows every mode by name', () => {
    expect(SERVICE_MODE_NAMES).toEqual(['compose', 'command', 'external']);
  });

  it('one run holds two compose instances apart: own project, directory and saved state', async () => {
    const exec = docker();
    const saves = new Map<string, SavedService>();
    const contextOf = (instance: string): ServiceContext => {
      const cwd = mkdtempSync(path.join(tmpdir(), `registry-${instance}-`));
      writeFileSync(path.join(cwd, 'compose.yml'), 'services: {}\n');
      return {
        instance,
        cwd,
        env: { GITHUB_RUN_ID: '9', GITHUB_RUN_ATTEMPT: '2' },
        logsPath: path.join(cwd, `${instance}.log`),
        tempDir: cwd,
        readyTimeoutMs: 60_000,
        settingName: (setting) => setting,
        exec,
        log: silentLogger,
        save: (saved) => void saves.set(saved.instance, structuredClone(saved)),
      };
    };
    const base = contextOf('base');
    const head = contextOf('head');
    for (const context of [base, head])
      await createService({ mode: 'compose', files: ['compose.yml'] }, context).prepare();

    const saved = (instance: string) =>
      saves.get(instance) as SavedService & Record<string, unknown>;
    expect(saved('base').project).toMatch(/^ethhook-load-test-9-2-base-[0-9a-f]{6}$/);
    expect(saved('head').project).toMatch(/^ethhook-load-test-9-2-head-[0-9a-f]{6}$/);
    expect(saved('base').cwd).toBe(base.cwd);
    expect(saved('head').files).toEqual([
      path.join(head.cwd, 'compose.yml'),
      saved('head').overrideFile,
    ]);

    // Each is found again from its saved state alone, and taken down on its own.
    exec.calls.length = 0;
    await restoreService(saved('head'), { exec, log: silentLogger, env: {} }).stop();
    expect(exec.lines()).toEqual([
      `docker compose -p ${saved('head').project} -f ${path.join(head.cwd, 'compose.yml')} -f ${saved('head').overrideFile} down -v --remove-orphans`,
    ]);
  });

  it('a saved state this version did not write is refused, naming the field', () => {
    expect(() =>
      restoreService(
        { mode: 'compose', instance: 'sut', logsPath: '/x' },
        {
          exec: docker(),
          log: silentLogger,
          env: {},
        },
      ),
    ).toThrow(/command|project/);
  });
});
