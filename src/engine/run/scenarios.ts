import { shapeProblem, type ShapeNames } from '../publisher/shape.js';
import type { LoadShape, ScenarioName } from './types.js';

/** The original tool's named scenarios. */
export const SCENARIOS: Record<
  ScenarioName,
  Omit<LoadShape, 'scenario'> & { description: string }
> = {
  quick: {
    events: 1_000,
    ratePerSec: 500,
    concurrency: 5,
    durationSec: null,
    description: '1,000 events at 500/s, 5 publishers',
  },
  medium: {
    events: 10_000,
    ratePerSec: 1_000,
    concurrency: 10,
    durationSec: null,
    description: '10,000 events at 1,000/s, 10 publishers',
  },
  stress: {
    events: 100_000,
    ratePerSec: 5_000,
    concurrency: 20,
    durationSec: null,
    description: '100,000 events at 5,000/s, 20 publishers',
  },
  burst: {
    events: 10_000,
    ratePerSec: 10_000,
    concurrency: 20,
    durationSec: null,
    description: '10,000 events at 10,000/s, 20 publishers',
  },
  sustained: {
    events: null,
    ratePerSec: 1_000,
    concurrency: 10,
    durationSec: 300,
    description: '300 s at 1,000/s, 10 publishers',
  },
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export function isScenarioName(value: string): value is ScenarioName {
  return Object.hasOwn(SCENARIOS, value);
}

export interface ShapeOverrides {
  events?: number | undefined;
  ratePerSec?: number | undefined;
  concurrency?: number | undefined;
  durationSec?: number | undefined;
}

/** How the caller's user calls the scenario and each field of the shape. */
export interface ScenarioNames extends ShapeNames {
  scenario: string;
}

const FLAG_NAMES: ScenarioNames = {
  scenario: '--scenario',
  events: '--events',
  rate: '--rate',
  concurrency: '--concurrency',
  duration: '--duration',
};

/**
 * A scenario with flags laid over it. Giving events clears the scenario's duration and vice versa,
 * so `--scenario sustained --events 500` means 500 events, not "500 events or 300 s"; giving both
 * is refused by the shape rules (src/engine/publisher/shape.ts), as everywhere.
 */
export function resolveShape(
  scenario: string,
  overrides: ShapeOverrides,
  names: ScenarioNames = FLAG_NAMES,
  rules: { openEnded?: boolean } = {},
): LoadShape {
  if (!isScenarioName(scenario)) {
    throw new Error(
      `${names.scenario}: unknown scenario "${scenario}"; valid scenarios are ${SCENARIO_NAMES.join(', ')}`,
    );
  }
  const base = SCENARIOS[scenario];
  let events = base.events;
  let durationSec = base.durationSec;
  if (overrides.events !== undefined) {
    events = overrides.events;
    if (overrides.durationSec === undefined) durationSec = null;
  }
  if (overrides.durationSec !== undefined) {
    durationSec = overrides.durationSec;
    if (overrides.events === undefined) events = null;
  }
  // The name stays even when fields are overridden: the result's config records every field, and
  // comparison checks the fields, not the name.
  const shape: LoadShape = {
    scenario,
    events,
    ratePerSec: overrides.ratePerSec ?? base.ratePerSec,
    concurrency: overrides.concurrency ?? base.concurrency,
    durationSec,
  };
  const problem = shapeProblem(shape, names, rules);
  if (problem) throw new Error(problem);
  return shape;
}

/** How long the default warm-up publishes, at the run's rate. */
export const DEFAULT_WARMUP_SECONDS = 5;
const MIN_WARMUP_EVENTS = 200;

/**
 * The default warm-up: 5 s of the target rate, at least 200 events (1,000 at rate 0). Measured on
 * the reference pipeline, the first trial after a 200-event (0.4 s) or a 2 s warm-up still had
 * 2-5x the p50 of later trials (JIT, connection pools); after 5 s the first trial matched the rest.
 */
export function defaultWarmupEvents(ratePerSec: number): number {
  if (ratePerSec <= 0) return 1_000;
  return Math.max(MIN_WARMUP_EVENTS, Math.round(ratePerSec * DEFAULT_WARMUP_SECONDS));
}
