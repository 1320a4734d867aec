import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { stopOnSignals } from './signals.js';

function setup() {
  const target = new EventEmitter();
  const warnings: string[] = [];
  const abort = new AbortController();
  const stop = stopOnSignals({ warn: (message) => warnings.push(message) }, abort, target);
  return { target, warnings, abort, stop };
}

describe('stopOnSignals', () => {
  it('aborts the run on SIGTERM, says so, and ends it with exit code 143', () => {
    const { target, warnings, abort, stop } = setup();
    expect(stop.stoppedBy()).toBeNull();
    expect(stop.interruption()).toBeNull();
    target.emit('SIGTERM', 'SIGTERM');
    expect(abort.signal.aborted).toBe(true);
    expect(warnings).toEqual(['SIGTERM received: stopping']);
    expect(stop.stoppedBy()).toBe('SIGTERM');
    expect(stop.interruption()).toMatchObject({
      message: 'interrupted by SIGTERM',
      exitCode: 143,
    });
  });

  it('remembers the first signal: Ctrl-C then SIGTERM is exit code 130', () => {
    const { target, stop } = setup();
    target.emit('SIGINT', 'SIGINT');
    target.emit('SIGTERM', 'SIGTERM');
    expect(stop.interruption()).toMatchObject({ message: 'interrupted by SIGINT', exitCode: 130 });
  });

  it('handles each signal once, and stops listening when disposed', () => {
    const { target, stop } = setup();
    expect(target.listenerCount('SIGINT')).toBe(1);
    expect(target.listenerCount('SIGTERM')).toBe(1);
    target.emit('SIGINT', 'SIGINT');
    // A second Ctrl-C gets the default handling (the process ends at once).
    expect(target.listenerCount('SIGINT')).toBe(0);
    stop.dispose();
    expect(target.listenerCount('SIGTERM')).toBe(0);
  });
});

describe('stopOnSignals and a closed terminal', () => {
  it('stops the run on SIGHUP like SIGTERM (the SUT and the stream lock are released), exit code 129', () => {
    const { target, warnings, abort, stop } = setup();
    expect(target.listenerCount('SIGHUP')).toBe(1);
    target.emit('SIGHUP', 'SIGHUP');
    expect(abort.signal.aborted).toBe(true);
    expect(warnings).toEqual(['SIGHUP received: stopping']);
    expect(stop.interruption()).toMatchObject({ message: 'interrupted by SIGHUP', exitCode: 129 });
  });
});
