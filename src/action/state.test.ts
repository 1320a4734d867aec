import { describe, expect, it } from 'vitest';
import { State } from './constants.js';
import {
  readServicesState,
  saveCommandState,
  saveComposeState,
  saveExternalState,
  saveSutPid,
} from './state.js';
import { fakeCore } from './testing.js';

describe('services state', () => {
  it('round-trips every kind through the string store', () => {
    const compose = {
      command: ['docker', 'compose'],
      project: 'p',
      files: ['/a.yml', '/o.yml'],
      overrideFile: '/o.yml',
      cwd: '/w',
    };
    const store = fakeCore();
    saveComposeState(store, '/out/services.log', compose);
    expect(readServicesState(store)).toEqual({
      kind: 'compose',
      logsPath: '/out/services.log',
      compose,
    });

    const command = fakeCore();
    saveCommandState(command, '/out/services.log');
    expect(readServicesState(command)).toMatchObject({ kind: 'command', command: { pid: null } });
    saveSutPid(command, 77);
    expect(readServicesState(command)).toEqual({
      kind: 'command',
      logsPath: '/out/services.log',
      command: { pid: 77 },
    });

    const external = fakeCore();
    saveExternalState(external, '/l');
    expect(readServicesState(external)).toEqual({ kind: 'external', logsPath: '/l' });
    expect(readServicesState(fakeCore())).toEqual({ kind: 'none' });
  });

  it('writes the kind last, so a half-saved compose state reads as nothing started', () => {
    const store = fakeCore();
    const order: string[] = [];
    saveComposeState(
      { saveState: (name) => void order.push(name), getState: store.getState },
      '/l',
      {
        command: ['docker-compose'],
        project: 'p',
        files: [],
        overrideFile: '/o',
        cwd: '/',
      },
    );
    expect(order.at(-1)).toBe(State.ServicesKind);
  });

  it('rejects a tampered list', () => {
    const store = fakeCore(
      {},
      {
        [State.ServicesKind]: 'compose',
        [State.ComposeCommand]: '{"x":1}',
        [State.ComposeFiles]: '[]',
      },
    );
    expect(() => readServicesState(store)).toThrow(/compose-command is not a list of strings/);
  });
});
