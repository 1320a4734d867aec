/**
 * What the detection benches (bench/verdict.ts, bench/ab.ts) share: their option parsing, the
 * delay calibration, the load-average line, and the noisy neighbour, which must not outlive the
 * bench however it ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';

/** The value after `--<name>` on the command line, or undefined. */
export function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** `--<name> <n>` as a whole number of at least `min`; any other value exits 2, naming it. */
export function wholeNumberOption(name: string, fallback: number, min = 1): number {
  const given = option(name);
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`--${name} ${given}: expected a whole number of at least ${min}\n`);
    process.exit(2);
  }
  return value;
}

/**
 * `--calibration 0.71:1.38,0.97:1.64`: (delay ms, p50 ratio) points measured earlier, to seed a
 * calibration; an empty list when absent, and any malformed point exits 2, naming it.
 */
export function calibrationOption(): [number, number][] {
  return (option('calibration') ?? '')
    .split(',')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [delay, ratio] = pair.split(':').map(Number);
      if (!(delay! > 0) || !(ratio! > 0)) {
        process.stderr.write(
          `--calibration ${pair}: expected <delay ms>:<ratio>, e.g. 0.97:1.64\n`,
        );
        process.exit(2);
      }
      return [delay!, ratio!];
    });
}

/**
 * The processing delay (ms, to the microsecond) expected to make p50 `target` times the
 * undelayed one, read off every (delay ms, p50 ratio) point measured so far: interpolated between
 * the two points around the target, extrapolated along the nearest two when it lies beyond them.
 * Not along one slope through the origin. While the delay was polled on the CPU its effect grew
 * faster than the delay (0.71, 0.97, 1.26, 1.52, 2.09 ms made 1.38, 1.64, 2.07, 2.67, 3.17x in one
 * session); on the timer thread (reference/delay-timer.ts) it is about the delay plus 0.1-0.25 ms
 * (0.357, 0.389, 0.524 ms made 1.53, 1.71, 1.88x of a 0.87 ms pipeline), which is not through the
 * origin either, so one slope from a far point over- or undershoots. Null with fewer than two
 * points: the caller's first guess then.
 */
export function interpolateDelay(
  points: readonly (readonly [number, number])[],
  target: number,
): number | null {
  const sorted = [...points].sort(([a], [b]) => a - b);
  if (sorted.length < 2) return null;
  const above = sorted.findIndex(([, ratio]) => ratio >= target);
  const [[d0, r0], [d1, r1]] =
    above > 0
      ? [sorted[above - 1]!, sorted[above]!]
      : above === 0
        ? [sorted[0]!, sorted[1]!]
        : [sorted[sorted.length - 2]!, sorted[sorted.length - 1]!];
  const slope = (r1 - r0) / (d1 - d0);
  return Number(Math.max(0.001, d0 + (target - r0) / (slope > 0 ? slope : 1)).toFixed(3));
}

/** The 1, 5 and 15 minute load averages, e.g. "0.42 0.61 0.80". */
export const loadAverage = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/**
 * Child processes to stop whatever way the bench ends: a normal end, a thrown error (the process
 * exits; `exit` handlers still run) or SIGINT/SIGTERM sent to the bench alone (a terminal's Ctrl-C
 * reaches the whole process group, `kill <pid>` does not). Each gets its own signal: the
 * neighbour SIGKILL, a CLI run SIGTERM so that it stops its SUT itself.
 */
const owned = new Map<ChildProcess, NodeJS.Signals>();
let handlersInstalled = false;

function stopOwned(): void {
  for (const [child, signal] of owned) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
  owned.clear();
}

/** What an interrupted bench undoes after its children are gone (its schema, stream, folder). */
const cleanups: (() => Promise<void>)[] = [];

/** How long an interrupted bench waits for its CLI runs to stop their SUTs before cleaning up. */
const CHILDREN_GONE_MS = 30_000;

/** Set by the first SIGINT/SIGTERM: a child started after it is stopped at once. */
let interruptedBy: NodeJS.Signals | null = null;

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  interruptedBy = signal;
  const running = [...owned.keys()].filter(
    (child) => child.exitCode === null && child.signalCode === null,
  );
  stopOwned();
  // Another handler (the CLI's, run in-process by bench/verdict.ts) stops its run itself and the
  // bench unwinds; else die of the signal as without a handler (exit status 130 / 143).
  if (process.listenerCount(signal) > 1) return;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  // A second signal from now on kills at once. First the CLI runs stop their SUTs (which use the
  // schema and the stream), then what the bench made goes: a killed bench left them behind.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(running.map((child) => new Promise((resolve) => child.once('exit', resolve)))),
    new Promise((resolve) => (timer = setTimeout(resolve, CHILDREN_GONE_MS))),
  ]);
  clearTimeout(timer);
  for (const cleanup of cleanups.splice(0)) {
    await cleanup().catch((error: unknown) =>
      process.stderr.write(`bench: cleaning up after ${signal} failed: ${String(error)}\n`),
    );
  }
  process.kill(process.pid, signal);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', stopOwned);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Runs `cleanup` when SIGINT or SIGTERM interrupts the bench, after its child processes have
 * stopped (at most 30 s); the bench then dies of the signal. A bench that ends otherwise cleans up
 * in its own `finally`.
 */
export function cleanUpOnInterrupt(cleanup: () => Promise<void>): void {
  installHandlers();
  cleanups.push(cleanup);
}

/** Stops `child` with `signal` if it still runs when the bench exits or is interrupted. */
export function own<Child extends ChildProcess>(child: Child, signal: NodeJS.Signals): Child {
  installHandlers();
  // The bench's loop goes on while the handler waits: its next run must not start measuring.
  if (interruptedBy !== null) {
    child.kill(signal);
    return child;
  }
  owned.set(child, signal);
  child.once('exit', () => owned.delete(child));
  return child;
}

export interface Neighbour {
  /** Resolves once the process is gone; safe to repeat. */
  stop(): Promise<void>;
}

/** A process keeping one core busy about half of the time: 50 ms of spinning, 50 ms asleep. */
export function startNeighbour(): Neighbour {
  const child = own(
    spawn(
      process.execPath,
      [
        '-e',
        'const s=new Int32Array(new SharedArrayBuffer(4));for(;;){const t=Date.now();while(Date.now()-t<50);Atomics.wait(s,0,0,50)}',
      ],
      { stdio: 'ignore' },
    ),
    'SIGKILL',
  );
  // Not a reason for the bench to stay alive: its `exit` handler kills it.
  child.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  return {
    stop() {
      // Held again while it is awaited: an unref'd child's exit does not keep the event loop
      // alive, so with nothing else pending the bench ended here, silently, mid-way (it did
      // after the unchanged+noisy checks, before slower+noisy).
      child.ref();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}
