import { z } from 'zod';
import { basename, join } from 'node:path';
import {
  describeFaults,
  environmentFingerprintSchema,
  faultsInjected,
} from '../engine/measure/result.js';
import { configKey } from './comparability.js';
import { InputFileError } from './errors.js';
import { parseDocument, readJsonFile, writeJsonFile } from './json-file.js';
import { metricValuesSchema } from './metrics.js';
import { trialAggregateSchema, type TrialAggregate } from './trials.js';

export const BASELINE_KIND = 'ethhook-load-test/baseline';
export const BASELINE_VERSION = 1;
/**
 * About four months of nightly runs: the drift analysis (drift.ts) needs weeks on each side of a
 * shift to name it, and a runner change starts a new series. About 1 KB a night.
 */
export const DEFAULT_HISTORY_LIMIT = 120;
/**
 * The most earlier nights a baseline keeps: nearly three years of nightly runs, about 1 MB of
 * committed JSON. It bounds what a file the tool writes costs to read and to analyse (`history`
 * answers for it in about a second), and a larger history would rarely describe today's runner.
 */
export const MAX_HISTORY_LIMIT = 1000;

/** The figures of an earlier baseline, kept for trends and for the noise estimate. */
export const historyEntrySchema = z.object({
  date: z.string(),
  commit: z.string().nullable(),
  trialCount: z.number().int().positive(),
  /** Load-shaping config key (see comparability.ts): only entries of the current key compare. */
  configKey: z.string(),
  valid: z.boolean(),
  /**
   * The runner it was measured on: only nights on a comparable runner feed the noise estimate.
   * Absent in entries written before it was recorded.
   */
  environment: environmentFingerprintSchema.optional(),
  metrics: metricValuesSchema,
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/**
 * `baselines/<name>.json`: the committed reference a pull request is compared with. Small
 * fields first so a review sees what changed; the aggregate (with per-trial histograms) last.
 */
export const baselineSchema = z.object({
  kind: z.literal(BASELINE_KIND),
  version: z.literal(BASELINE_VERSION),
  name: z.string(),
  /** The commit measured, when known. */
  commit: z.string().nullable(),
  /** When the aggregate was recorded (ISO 8601). */
  date: z.string(),
  /** When the first baseline of this name was recorded. */
  createdAt: z.string(),
  /** Earlier aggregates, oldest first, at most the history limit. */
  history: z.array(historyEntrySchema),
  /**
   * Written by versions whose verdict stored a noise estimate here; read and ignored: the judge
   * reads the spread of the nights themselves (src/judge).
   */
  noise: z.unknown().optional(),
  aggregate: trialAggregateSchema,
});
export type Baseline = z.infer<typeof baselineSchema>;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function isValidBaselineName(name: string): boolean {
  return NAME_PATTERN.test(name) && !name.includes('..');
}

/** `<dir>/<name>.json`; the name is checked so it cannot point outside the directory. */
export function baselinePath(dir: string, name: string): string {
  if (!isValidBaselineName(name)) {
    throw new RangeError(
      `Invalid baseline name "${name}": use letters, digits, '.', '_' and '-' (e.g. "steady" or "burst-1k").`,
    );
  }
  return join(dir, `${name}.json`);
}

const nameFromPath = (path: string): string => basename(path).replace(/\.json$/i, '');

export function howToCreateBaseline(name: string): string {
  return `Create it with \`ethhook-load-test baseline update <result.json> --name ${name}\` and commit baselines/${name}.json, or run the action with \`mode: baseline\` (e.g. on a nightly schedule).`;
}

/** Checks parsed content as a baseline; `path` only names the file in errors. */
export function parseBaseline(document: unknown, path: string): Baseline {
  return parseDocument(
    document,
    path,
    {
      kinds: [BASELINE_KIND],
      versions: [BASELINE_VERSION],
      whatItIs: 'baseline',
      hint: `Restore it from git or recreate it: ${howToCreateBaseline(nameFromPath(path))}`,
    },
    baselineSchema,
  );
}

/** Reads a baseline; a missing, corrupt or foreign file is an InputFileError saying what to do. */
export async function readBaseline(path: string): Promise<Baseline> {
  const document = await readJsonFile(path, 'baseline', howToCreateBaseline(nameFromPath(path)));
  return parseBaseline(document, path);
}

/**
 * Like readBaseline, but a missing file is null: the comparison then says "inconclusive, no
 * baseline" with the how-to. A corrupt or foreign file is still an error, never ignored.
 */
export async function readBaselineIfExists(path: string): Promise<Baseline | null> {
  try {
    return await readBaseline(path);
  } catch (error) {
    if (error instanceof InputFileError && error.problem === 'missing') return null;
    throw error;
  }
}

export async function writeBaseline(path: string, baseline: Baseline): Promise<void> {
  await writeJsonFile(path, baseline);
}

export function historyEntryOf(baseline: Baseline): HistoryEntry {
  return {
    date: baseline.date,
    commit: baseline.commit,
    trialCount: baseline.aggregate.trialCount,
    configKey: configKey(baseline.aggregate.config),
    valid: baseline.aggregate.validity.valid,
    environment: baseline.aggregate.environment,
    metrics: baseline.aggregate.metrics,
  };
}

export interface BaselineUpdate {
  name: string;
  commit: string | null;
  /** ISO 8601; passed in so the function stays pure. */
  date: string;
  historyLimit?: number;
}

/**
 * The refreshed baseline: the new aggregate becomes the reference and the previous one moves
 * into the history (oldest first, bounded). With no existing baseline the history starts empty.
 */
export function updateBaseline(
  existing: Baseline | null,
  aggregate: TrialAggregate,
  update: BaselineUpdate,
): Baseline {
  const limit = update.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_HISTORY_LIMIT) {
    throw new RangeError(
      `Invalid history limit ${limit}: expected a whole number from 0 to ${MAX_HISTORY_LIMIT}.`,
    );
  }
  const history = existing ? [...existing.history, historyEntryOf(existing)] : [];
  const kept = limit === 0 ? [] : history.slice(-limit);
  return {
    kind: BASELINE_KIND,
    version: BASELINE_VERSION,
    name: update.name,
    commit: update.commit,
    date: update.date,
    createdAt: existing?.createdAt ?? update.date,
    history: kept,
    aggregate,
  };
}

/**
 * Why an aggregate should not become a baseline: an invalid or incorrect run would make every
 * later comparison meaningless. Empty when it is fit.
 */
export function baselineCandidateProblems(aggregate: TrialAggregate): string[] {
  const problems = aggregate.validity.valid
    ? []
    : [`the run is invalid (${aggregate.validity.reasons.join('; ') || 'no reason given'})`];
  if (aggregate.delivery.lost > 0) problems.push(`${aggregate.delivery.lost} deliveries were lost`);
  if (aggregate.delivery.unexpected > 0) {
    problems.push(`${aggregate.delivery.unexpected} deliveries were unexpected`);
  }
  if (aggregate.delivery.badSignatures > 0) {
    problems.push(`${aggregate.delivery.badSignatures} deliveries had bad signatures`);
  }
  if (aggregate.delivery.delivered === 0) problems.push('nothing was delivered');
  return problems;
}

/**
 * Why a run with injected faults should not silently become a baseline: the receiver failed or
 * slowed replies on purpose, so its figures are not the pipeline's own, and later runs would only
 * be compared with runs under the same faults. Null for a clean run. Kept apart from
 * baselineCandidateProblems because it takes its own, explicit consent (--allow-faults), not --force.
 */
export function injectedFaultsProblem(aggregate: TrialAggregate): string | null {
  const { faults } = aggregate.config;
  return faultsInjected(faults)
    ? `the run injected faults on purpose (${describeFaults(faults)}), so its figures are not the pipeline's own`
    : null;
}
