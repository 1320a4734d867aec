import type { EventEmitter } from 'node:events';
import type { Logger } from '../engine/log.js';
import { EXIT_CODES } from '../check/exit.js';
import { UserError } from './errors.js';

/**
 * Exit codes of a run stopped by a signal: 128 + the signal's number, as shells report it. SIGHUP
 * (the terminal or SSH session closed) too: its default handling ended the process at once and
 * left the SUT's process group (its own session) running and the stream's lock held.
 */
export const SIGNAL_EXIT_CODES = {
  SIGHUP: EXIT_CODES.SIGHUP,
  SIGINT: EXIT_CODES.SIGINT,
  SIGTERM: EXIT_CODES.SIGTERM,
} as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

export interface SignalStop {
  /** The signal that stopped the run, or null while none came. */
  stoppedBy(): StopSignal | null;
  /** "interrupted by SIGTERM" with the signal's exit code once one came, else null. */
  interruption(): UserError | null;
  /** Stops listening; the process's default handling of the signals applies again. */
  dispose(): void;
}

/**
 * Ctrl-C, SIGTERM or SIGHUP during a run: say so, abort what runs (it stops what it started) and remember
 * the signal, so the run ends with "interrupted by …" and the shell's exit code for it. The first
 * of each signal is handled; a second one gets the default handling (the process ends at once).
 */
export function stopOnSignals(
  logger: Pick<Logger, 'warn'>,
  abort: AbortController,
  target: Pick<EventEmitter, 'once' | 'removeListener'> = process,
): SignalStop {
  let stoppedBy: StopSignal | null = null;
  const onSignal = (signal: StopSignal): void => {
    logger.warn(`${signal} received: stopping`);
    stoppedBy ??= signal;
    abort.abort();
  };
  const signals = Object.keys(SIGNAL_EXIT_CODES) as StopSignal[];
  for (const signal of signals) target.once(signal, onSignal);
  return {
    stoppedBy: () => stoppedBy,
    interruption: () =>
      stoppedBy ? new UserError(`interrupted by ${stoppedBy}`, SIGNAL_EXIT_CODES[stoppedBy]) : null,
    dispose: () => {
      for (const signal of signals) target.removeListener(signal, onSignal);
    },
  };
}
