import { comparePaired, type PairedVerdict } from '../compare/paired-verdict.js';
import type { MetricId } from '../compare/metrics.js';
import { TAIL_AGREEING_ROUNDS } from '../compare/paired.js';
import type { Logger } from '../engine/log.js';
import { runPairedRounds, type PairedRound, type PairedRun } from './rounds.js';
import { serviceSide, type SideDependencies, type SideSpec } from './side.js';

/**
 * The paired check shared by the action and the CLI: both sides prepared, measured in alternating
 * rounds, a regression confirmed by one more round before it counts, both sides stopped.
 */

export interface PairedCheckSettings {
  base: Omit<SideSpec, 'name'>;
  head: Omit<SideSpec, 'name'>;
  rounds: number;
  tolerance: number;
  gatedMetrics?: readonly MetricId[];
}

/** Below this much of the load's time, the warm-up leaves a side measured while still cold. */
export const MIN_PAIRED_WARMUP_SEC = 3;

/**
 * The note for a warm-up too short for a paired check, or null. Each side is started fresh every
 * round, so each round measures a pipeline only as warm as its warm-up made it: with a second or
 * two of load, caches, JIT and connection pools are still settling and a change that shows on a
 * warm pipeline is partly hidden (bench/ab.ts once ran with 1 s of warm-up, and detected less).
 * Null when the rate is unbounded (0): the warm-up's time is not known.
 */
export function shortWarmupNote(
  load: { warmupEvents: number; ratePerSec: number },
  warmupSettingName: string,
): string | null {
  if (!(load.ratePerSec > 0)) return null;
  const seconds = load.warmupEvents / load.ratePerSec;
  if (seconds >= MIN_PAIRED_WARMUP_SEC) return null;
  const minimum = Math.ceil(MIN_PAIRED_WARMUP_SEC * load.ratePerSec);
  return (
    `warm-up of ${load.warmupEvents} events is ${seconds.toFixed(1)} s of the ${load.ratePerSec}/s load, ` +
    `shorter than the ${MIN_PAIRED_WARMUP_SEC} s a paired check needs: each side starts fresh every round, ` +
    `so a change may be measured on a cold pipeline and partly missed; set ${warmupSettingName} to at least ${minimum}`
  );
}

/**
 * Why one more round is measured after the requested ones, or null. A regression is confirmed
 * before it fails a pull request. A gated metric worse than the tolerance but not consistently
 * (its interval includes no change, or a round points the other way) gets one more round too:
 * with 3 rounds the interval rests on 2 degrees of freedom (t = 4.30), so one wayward round
 * leaves a real +55..+70% change "within noise" (bench:ab, 2 of 10 runs at a 1.12 ms delay);
 * a fourth round (t = 3.18) settles it either way, and the regression must then hold in every round.
 * So does a metric within the tolerance whose interval is too wide to pass (compare/paired.ts).
 * A regression that appears only in that further round gets one more round to confirm it, as
 * one found in the requested rounds does.
 */
export function anotherRoundFor(
  verdict: PairedVerdict,
  /** The verdict before the round just measured, when that was a further round; else absent. */
  before?: PairedVerdict | null,
): string | null {
  const pending = verdict.metrics.filter((metric) => metric.gated && metric.pending);
  if (before) {
    // After the further round: a regression it turned up is not yet confirmed by anything (an
    // A/A check failed on a p99 that only the settling round made consistent, bench:verdict).
    if (verdict.outcome === 'regression' && before.outcome !== 'regression') {
      return 'A regression that appeared only in the further round: measuring one more round to confirm it before failing on it';
    }
    // A tail worse in every round so far, in fewer rounds than a tail needs (compare/paired.ts).
    if (verdict.outcome !== 'regression' && pending.length > 0) {
      return `${pending.map((metric) => metric.label).join(', ')} worse in every round so far, but a tail counts only when ${TAIL_AGREEING_ROUNDS} rounds agree: measuring one more round`;
    }
    return null;
  }
  if (verdict.outcome === 'regression') {
    return 'A regression: measuring one more round to confirm it before failing on it';
  }
  const unsettled = verdict.metrics.filter((metric) => metric.gated && metric.status === 'noise');
  if (verdict.outcome === 'inconclusive' && unsettled.length > 0) {
    return `${unsettled.map((metric) => metric.label).join(', ')} not settled (worse than the tolerance but not consistently, or an interval too wide to pass): measuring one more round to settle it`;
  }
  return null;
}

export interface PairedCheckResult {
  run: PairedRun;
  verdict: PairedVerdict;
}

export async function runPairedCheck(
  settings: PairedCheckSettings,
  deps: SideDependencies & {
    log: Logger;
    /** The warm-up's setting as the user writes it (`warmup-events` / `--warmup`). */
    warmupSettingName: string;
  },
): Promise<PairedCheckResult> {
  const warmupNote = shortWarmupNote(deps.load, deps.warmupSettingName);
  if (warmupNote) deps.log.warn(`Paired check: ${warmupNote}`);
  const sides = {
    base: serviceSide({ ...settings.base, name: 'base' }, deps),
    head: serviceSide({ ...settings.head, name: 'head' }, deps),
  };
  const judge = (rounds: readonly PairedRound[]) =>
    comparePaired(
      rounds.map((round) => ({ base: round.base.result, head: round.head.result })),
      {
        tolerance: settings.tolerance,
        ...(settings.gatedMetrics ? { gatedMetrics: settings.gatedMetrics } : {}),
      },
    );
  // The verdict after the requested rounds, then after each further round: why each was measured.
  const verdicts: PairedVerdict[] = [];
  try {
    const run = await runPairedRounds(sides, {
      rounds: settings.rounds,
      log: deps.log,
      needsAnotherRound: (rounds) => {
        const verdict = judge(rounds);
        verdicts.push(verdict);
        return anotherRoundFor(verdict, verdicts.at(-2) ?? null);
      },
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
    const verdict = judge(run.rounds);
    const requested = verdicts[0];
    const regressed = verdict.outcome === 'regression';
    if (run.confirmationRounds > 0) {
      verdict.reasons.push(
        requested?.outcome === 'regression'
          ? regressed
            ? `confirmed by a further round (${run.rounds.length} rounds in all)`
            : `a regression after ${settings.rounds} rounds was not confirmed by a further round`
          : `not settled after ${settings.rounds} rounds (worse than the tolerance but not consistently, or an interval too wide to pass), so a further round was measured` +
              (run.confirmationRounds <= 1
                ? ` (${run.rounds.length} rounds in all)`
                : verdicts[1]?.outcome === 'regression'
                  ? regressed
                    ? `; the regression it showed was confirmed by one more (${run.rounds.length} rounds in all)`
                    : `; the regression it showed was not confirmed by one more (${run.rounds.length} rounds in all)`
                  : `; a tail still worse in every round got more, as it counts only when ${TAIL_AGREEING_ROUNDS} rounds agree (${run.rounds.length} rounds in all)`),
      );
    }
    if (warmupNote) verdict.reasons.push(warmupNote);
    return { run, verdict };
  } finally {
    // A failed round may leave its side running; stopping is safe to repeat.
    for (const side of [sides.base, sides.head]) {
      await side.stop().catch((error: unknown) => {
        deps.log.warn(
          `Could not stop the ${side.name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
  }
}
