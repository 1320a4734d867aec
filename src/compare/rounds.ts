import type { RunResult } from '../engine/measure/result.js';
import { aggregateTrials, type TrialAggregate } from './trials.js';

/**
 * What paired A/B rounds measured: the base commit and the head on the same runner, one fresh
 * start of each side per round (its trials, as a start of a single-side check has), the order
 * alternating (base head, head base, ...) so that a machine warming up or slowing down during the
 * job falls on both sides alike. The check (src/check) measures them; the judge and the reports
 * read them.
 */

export type SideName = 'base' | 'head';
export const SIDE_NAMES: readonly SideName[] = ['base', 'head'];

/** A measurement's phases, in the order they happen. */
export const PHASES = ['start', 'ready', 'seed', 'warmup', 'measure', 'stop'] as const;
export type Phase = (typeof PHASES)[number];
/** Milliseconds per phase; a phase the side did not go through (nothing to start) is absent. */
export type PhaseTimes = Partial<Record<Phase, number>>;

export interface SideMeasurement {
  /** The start's trials (the `trials` setting), measured one after another after its warm-up. */
  results: RunResult[];
  phases: PhaseTimes;
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
  /** Rounds measured beyond the requested ones, because the judge could not yet decide. */
  furtherRounds: number;
}

/**
 * One side's trials, ready to aggregate as one trial set. Every measurement fingerprints the
 * machine again, and on a busy runner its speed probe moves from round to round; the rounds ran
 * on this one machine by construction, so each trial carries the first measurement's environment.
 */
export function sideResults(run: PairedRun, side: SideName): RunResult[] {
  const first = run.rounds[0];
  if (!first) return [];
  const environment = first[first.order[0]].results[0]?.environment;
  if (!environment) return [];
  return run.rounds.flatMap((round) =>
    round[side].results.map((result) => ({ ...result, environment })),
  );
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

/** One side's rounds as one trial set: the result file a paired check writes for it. */
export function sideAggregate(run: PairedRun, side: SideName): TrialAggregate {
  return aggregateTrials(sideResults(run, side));
}
