import { comparePaired, type PairedVerdict } from '../compare/paired-verdict.js';
import type { MetricId } from '../compare/metrics.js';
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

export interface PairedCheckResult {
  run: PairedRun;
  verdict: PairedVerdict;
}

export async function runPairedCheck(
  settings: PairedCheckSettings,
  deps: SideDependencies & { log: Logger },
): Promise<PairedCheckResult> {
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
  try {
    const run = await runPairedRounds(sides, {
      rounds: settings.rounds,
      log: deps.log,
      needsAnotherRound: (rounds) => judge(rounds).outcome === 'regression',
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
    const verdict = judge(run.rounds);
    if (run.confirmationRounds > 0) {
      verdict.reasons.push(
        verdict.outcome === 'regression'
          ? `confirmed by a further round (${run.rounds.length} rounds in all)`
          : `a regression after ${settings.rounds} rounds was not confirmed by a further round`,
      );
    }
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
