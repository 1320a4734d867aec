import type { Logger } from '../engine/log.js';
import {
  formatPhaseTimes,
  roundOrder,
  SIDE_NAMES,
  type PairedRound,
  type PairedRun,
  type SideMeasurement,
  type SideName,
} from '../compare/rounds.js';

/**
 * Measures paired rounds: each round starts both sides fresh, in alternating order, and the
 * caller's judge says after each round from `minRounds` on whether one more is needed, up to
 * `maxRounds`. A failed round never loses the rounds measured before it: the error carries them.
 */

export interface PairedSide {
  readonly name: SideName;
  /** Once, before the first round: the prepare command, image builds. Returns nothing to undo. */
  prepare(): Promise<void>;
  /**
   * One fresh measurement: start, wait until ready, seed, warm up, measure its trials, stop. It
   * stops what it started also when it fails.
   */
  measure(round: number): Promise<SideMeasurement>;
}

export interface PairedRunOptions {
  minRounds: number;
  maxRounds: number;
  log: Logger;
  /** After each round from `minRounds` on: why one more round is needed, or null when decided. */
  anotherRound(rounds: readonly PairedRound[]): string | null;
  signal?: AbortSignal;
  clock?: () => number;
}

/** A measurement that failed, named by its round and side; the rounds measured before it kept. */
export class PairedRoundError extends Error {
  constructor(
    readonly round: number,
    readonly side: SideName,
    cause: unknown,
    readonly measured: PairedRun,
  ) {
    super(`round ${round}, ${side}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'PairedRoundError';
  }
}

export async function runPairedRounds(
  sides: Record<SideName, PairedSide>,
  options: PairedRunOptions,
): Promise<PairedRun> {
  const { log, signal, minRounds, maxRounds } = options;
  const clock = options.clock ?? Date.now;
  if (!Number.isInteger(minRounds) || minRounds < 1 || !Number.isInteger(maxRounds)) {
    throw new RangeError(`rounds must be whole numbers of at least 1, got ${minRounds}`);
  }
  if (maxRounds < minRounds) {
    throw new RangeError(`max rounds (${maxRounds}) is below the rounds (${minRounds})`);
  }
  const run: PairedRun = { prepareMs: { base: 0, head: 0 }, rounds: [], furtherRounds: 0 };
  for (const name of SIDE_NAMES) {
    const started = clock();
    await log.group(`Preparing the ${name}`, () => sides[name].prepare());
    run.prepareMs[name] = clock() - started;
  }

  const measureRound = async (round: number, planned: number) => {
    const order = roundOrder(round);
    const measured: Partial<Record<SideName, SideMeasurement>> = {};
    for (const name of order) {
      signal?.throwIfAborted();
      const measurement = await log
        .group(`Round ${round} of ${planned}: ${name}`, () => sides[name].measure(round))
        .catch((error: unknown) => {
          throw new PairedRoundError(round, name, error, { ...run, rounds: [...run.rounds] });
        });
      log.info(`Round ${round}, ${name}: ${formatPhaseTimes(measurement.phases)}`);
      measured[name] = measurement;
    }
    run.rounds.push({ round, order, base: measured.base!, head: measured.head! });
  };

  for (let round = 1; round <= minRounds; round++) await measureRound(round, minRounds);
  while (run.rounds.length < maxRounds) {
    const why = options.anotherRound(run.rounds);
    if (why === null) break;
    log.info(why);
    run.furtherRounds += 1;
    await measureRound(run.rounds.length + 1, maxRounds);
  }
  return run;
}
