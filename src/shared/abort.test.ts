import { describe, expect, it } from 'vitest';
import { onAbort } from './abort.js';

describe('onAbort', () => {
  it('calls the listener once when the signal aborts later', () => {
    const controller = new AbortController();
    let calls = 0;
    onAbort(controller.signal, () => (calls += 1));
    expect(calls).toBe(0);
    controller.abort();
    controller.abort();
    expect(calls).toBe(1);
  });

  it('calls the listener at once when the signal has aborted already', () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    onAbort(controller.signal, () => (calls += 1));
    expect(calls).toBe(1);
  });

  it('calls nothing once removed, and nothing without a signal', () => {
    const controller = new AbortController();
    let calls = 0;
    const remove = onAbort(controller.signal, () => (calls += 1));
    remove();
    controller.abort();
    expect(calls).toBe(0);
    expect(() => onAbort(undefined, () => (calls += 1))()).not.toThrow();
    expect(calls).toBe(0);
  });
});
