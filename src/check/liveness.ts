import { SutFailedError } from '../engine/run/errors.js';
import { onAbort } from '../shared/abort.js';
import type { SutLifecycle } from '../engine/run/types.js';
import type { SutService } from '../services/service.js';

/**
 * A SUT watched while it measures, the same for a single side and for each side of a round: its
 * liveness (process group, containers, health URLs) is polled once a second from the moment the
 * run's probes find it ready, and a problem aborts the measurement at once, named, instead of the
 * trial publishing on to its end (or the next round blaming the receiver).
 */
export interface WatchedSut {
  /** Hand to the run: ready starts the watch. */
  lifecycle: SutLifecycle;
  /** The run's signal: the outer one (SIGINT, SIGTERM) or a problem found. */
  signal: AbortSignal;
  /** The problem found, or null. */
  problem(): string | null;
  /** The error to throw for `error` (what the run threw): named as a SUT failure when one was found. */
  explain(error: unknown, what: string): unknown;
  stop(): void;
}

export function watchSut(
  service: SutService,
  healthUrls: readonly string[],
  outer: AbortSignal | undefined,
  timed: <T>(phase: 'start' | 'ready', work: () => Promise<T>) => Promise<T> = (_p, work) => work(),
): WatchedSut {
  const abort = new AbortController();
  const unfollow = onAbort(outer, () => abort.abort(outer?.reason));
  let timer: NodeJS.Timeout | null = null;
  let found: string | null = null;
  let checking = false;
  const start = () => {
    if (timer) return;
    timer = setInterval(() => {
      if (checking || found) return;
      checking = true;
      service
        .liveness(healthUrls)
        .then((problem) => {
          if (problem && !found) {
            found = problem;
            abort.abort(new Error(problem));
          }
        })
        .catch(() => undefined)
        .finally(() => {
          checking = false;
        });
    }, LIVENESS_INTERVAL_MS);
    timer.unref();
  };
  return {
    lifecycle: {
      start: () => timed('start', () => service.start()),
      waitReady: () => timed('ready', () => service.waitReady()),
      exitedError: () => service.exitedError(),
      // Not from waitReady on: health URLs may answer only later, when the run's probes pass.
      measuring: start,
    },
    signal: abort.signal,
    problem: () => found,
    explain(error, what) {
      if (found === null || error instanceof SutFailedError) return error;
      // A process that exited says so with the last lines of its log; the watch's line is shorter.
      const exited = service.exitedError();
      return new SutFailedError(`${what}: ${exited?.message ?? found}`, { cause: error });
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      unfollow();
    },
  };
}

/** How often a measuring SUT is checked: soon enough to end a dead trial within seconds. */
const LIVENESS_INTERVAL_MS = 1_000;
