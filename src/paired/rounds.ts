import type { RunResult } from '../engine/measure/result.js';
import type { Logger } from '../engine/log.js';

/**
 * Paired A/B rounds: the base commit and the head measured on the same runner, one trial each per
 * round, the order alternating (base head, head base, ...) so that a machine warming up or
 * slowing down during the job falls on both sides alike. Each measurement starts its side fresh
 * and stops it, so neither side inherits the other's caches, queues or stream backlog.
 */

export type SideName = 'base' | 'head';
export const SIDE_NAMES: readonly SideName[] = ['base', 'head'];

/** A measurement's phases, in the order they happen. */
export const PHASES = ['start', 'ready', 'seed', 'warmup', 'measure', 'stop'] as const;
export type Phase = (typeof PHASES)[number];
/** Milliseconds per phase; a phase the side did not go through (nothing to start) is absent. */
export type PhaseTimes = Partial<Record<Phase, number>>;

export interface SideMeasurement {
  result: RunResult;
  phases: PhaseTimes;
  /** The trial's latency histograms per block of events (encoded), when the run recorded them. */
  latencyBlocks?: string[];
}

export interface PairedSide {
  readonly name: SideName;
  /** Once, before the first round: the prepare command, image builds. Returns nothing to undo. */
  prepare(): Promise<void>;
  /**
   * One fresh measurement: start, wait until ready, seed, warm up, measure one trial, stop. It
   * stops what it started also when it fails.
   */
  measure(round: number): Promise<SideMeasurement>;
}

export interface PairedRound {
  /** 1-based. */
  round: number;
  order: [SideName, SideName];
  base: SideMeasurement;
  head: SideMeasurement;
}

export interface PairedRun {
  prepareMs: Record<SideName, number>;
  rounds: PairedRound[];
  /** Rounds run beyond the requested ones (see needsAnotherRound), MAX_FURTHER_ROUNDS at most. */
  confirmationRounds: number;
}

/**
 * Rounds measured beyond the requested ones at most: one to settle or confirm, and one more to
 * confirm a regression that appeared only in that one.
 */
export const MAX_FURTHER_ROUNDS = 2;

export interface PairedRunOptions {
  rounds: number;
  log: Logger;
  /**
   * Asked after the requested rounds, and again after each further round (MAX_FURTHER_ROUNDS at
   * most): a reason (logged) runs one more round, e.g. to confirm a regression before failing a
   * pull request on it; null runs no more.
   */
  needsAnotherRound?(rounds: readonly PairedRound[]): string | null;
  signal?: AbortSignal;
  clock?: () => number;
}

/** A measurement that failed, named by its round and side; the original error is its cause. */
export class PairedRoundError extends Error {
  constructor(
    readonly round: number,
    readonly side: SideName,
    cause: unknown,
  ) {
    super(`round ${round}, ${side}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'PairedRoundError';
  }
}

/**
 * One side's trials, ready to aggregate as one trial set. Every measurement fingerprints the
 * machine again, and on a busy runner its speed probe moves from round to round; the rounds ran
 * on this one machine by construction, so each trial carries the first measurement's environment.
 */
export function sideResults(run: PairedRun, side: SideName): RunResult[] {
  const first = run.rounds[0];
  if (!first) return [];
  const environment = first[first.order[0]].result.environment;
  return run.rounds.map((round) => ({ ...round[side].result, environment }));
}

/** Round 1 measures base then head, round 2 head then base, and so on. */
export function roundOrder(round: number): [SideName, SideName] {
  return round % 2 === 1 ? ['base', 'head'] : ['head', 'base'];
}

export function formatPhaseTimes(phases: PhaseTimes): string {
  return PHASES.filter((phase) => phases[phase] !== undefined)
    .map((phase) => `${phase} ${formatSeconds(phases[phase] as number)}`)
    .join(', ');
}

export const formatSeconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export async function runPairedRounds(
  sides: Record<SideName, PairedSide>,
  options: PairedRunOptions,
): Promise<PairedRun> {
  const { log, signal } = options;
  const clock = options.clock ?? Date.now;
  if (!Number.isInteger(options.rounds) || options.rounds < 1) {
    throw new RangeError(`rounds must be a whole number of at least 1, got ${options.rounds}`);
  }
  const prepareMs = { base: 0, head: 0 };
  for (const name of SIDE_NAMES) {
    const started = clock();
    await log.group(`Preparing the ${name}`, () => sides[name].prepare());
    prepareMs[name] = clock() - started;
  }

  const rounds: PairedRound[] = [];
  const runRound = async (round: number, total: number) => {
    const order = roundOrder(round);
    const measured: Partial<Record<SideName, SideMeasurement>> = {};
    for (const name of order) {
      signal?.throwIfAborted();
      const measurement = await log
        .group(`Round ${round} of ${total}: ${name}`, () => sides[name].measure(round))
        .catch((error: unknown) => {
          throw new PairedRoundError(round, name, error);
        });
      log.info(`Round ${round}, ${name}: ${formatPhaseTimes(measurement.phases)}`);
      measured[name] = measurement;
    }
    rounds.push({ round, order, base: measured.base!, head: measured.head! });
  };

  for (let round = 1; round <= options.rounds; round++) await runRound(round, options.rounds);
  let confirmationRounds = 0;
  while (confirmationRounds < MAX_FURTHER_ROUNDS) {
    const anotherRound = options.needsAnotherRound?.(rounds) ?? null;
    if (anotherRound === null) break;
    log.info(anotherRound);
    confirmationRounds += 1;
    const round = options.rounds + confirmationRounds;
    await runRound(round, round);
  }
  return { prepareMs, rounds, confirmationRounds };
}
