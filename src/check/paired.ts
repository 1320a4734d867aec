import type { Logger } from '../engine/log.js';
import type { PairedRound, PairedRun } from '../compare/rounds.js';
import { runPairedRounds } from './rounds.js';
import { serviceSide, type SideDependencies, type SideSpec } from './side.js';

/**
 * The paired measurement: both sides prepared, measured in alternating rounds until the judge
 * decides (from `minRounds` on, `maxRounds` at most), both sides stopped.
 */

export interface PairedSettings {
  base: Omit<SideSpec, 'name'>;
  head: Omit<SideSpec, 'name'>;
  minRounds: number;
  maxRounds: number;
}

/** Below this much of the load's time, the warm-up leaves a side measured while still cold. */
export const MIN_PAIRED_WARMUP_SEC = 3;

/**
 * The note for a warm-up too short for a paired check, or null. Each side starts fresh every
 * round, so each round measures a pipeline only as warm as its warm-up made it. Null when the
 * rate is unbounded (0): the warm-up's time is not known.
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

export async function measurePaired(
  settings: PairedSettings,
  deps: SideDependencies & { log: Logger; warmupSettingName: string },
  anotherRound: (rounds: readonly PairedRound[]) => string | null,
): Promise<{ run: PairedRun; notes: string[] }> {
  const warmupNote = shortWarmupNote(deps.load, deps.warmupSettingName);
  if (warmupNote) deps.log.warn(`Paired check: ${warmupNote}`);
  const sides = {
    base: serviceSide({ ...settings.base, name: 'base' }, deps),
    head: serviceSide({ ...settings.head, name: 'head' }, deps),
  };
  try {
    const run = await runPairedRounds(sides, {
      minRounds: settings.minRounds,
      maxRounds: settings.maxRounds,
      log: deps.log,
      anotherRound,
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
    return { run, notes: warmupNote ? [warmupNote] : [] };
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
