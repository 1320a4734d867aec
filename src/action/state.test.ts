import { describe, expect, it } from 'vitest';
import { State } from './constants.js';
import { readSavedServices, serviceStateSaver } from './state.js';
import { fakeCore } from './testing.js';

describe('services state', () => {
  it('keeps every instance under one key, the latest save of each', () => {
    const store = fakeCore();
    const save = serviceStateSaver(store);
    save({ mode: 'command', instance: 'base', logsPath: '/out/base.log' });
    save({ mode: 'compose', instance: 'head', logsPath: '/out/head.log' });
    save({ mode: 'command', instance: 'base', logsPath: '/out/base.log', pid: 12 } as never);
    expect(readSavedServices(store)).toEqual([
      { mode: 'command', instance: 'base', logsPath: '/out/base.log', pid: 12 },
      { mode: 'compose', instance: 'head', logsPath: '/out/head.log' },
    ]);
  });

  it('nothing saved: no instance', () => {
    expect(readSavedServices(fakeCore())).toEqual([]);
  });

  it('a value that is not a list is an error naming the key', () => {
    expect(() => readSavedServices(fakeCore({}, { [State.Services]: '{"mode":"x"}' }))).toThrow(
      /saved state services is not a list/,
    );
  });
});
