import type { EnvironmentFingerprint } from '../engine/measure/result.js';
import { historyEntryOf, MAX_HISTORY_LIMIT, type Baseline, type HistoryEntry } from './baseline.js';
import { levelShifts, MIN_LEVEL_SAMPLES, type LevelShiftOptions } from './changepoint.js';
import { environmentDifferences } from './comparability.js';
import { formatPercent, formatWithUnit } from './format.js';
import { DEFAULT_GATED_METRICS, logFigure, METRICS, type MetricId } from './metrics.js';
import { median } from './stats.js';

/**
 * Drift: shifts in the nightly figures of a baseline, found by the level-shift detector
 * (changepoint.ts) per gated metric, per runner environment and load. A pull request is one way
 * performance changes; dependencies, the base branch and the runner image move it too, and a
 * shift found here says when, between which commits, by how much and how surely.
 */

/**
 * The smallest shift worth naming: medians 5% apart. The detector answers "is this not chance?",
 * which a long, quiet series answers yes for a 2% wobble; a shift far inside the tolerance ratio
 * would only be noise in an issue.
 */
export const MIN_SHIFT_RATIO = 1.05;
/** A shift whose new level began this many nights ago or fewer is recent. */
export const RECENT_NIGHTS = 14;
/**
 * The most nights analysed: every night a baseline written by the tool can hold (its history at
 * the largest limit, and its own). A longer, hand-made history is analysed from its newest nights.
 */
export const MAX_DRIFT_NIGHTS = MAX_HISTORY_LIMIT + 1;

export interface Night {
  date: string;
  commit: string | null;
}

export interface Shift {
  metric: MetricId;
  /** Index, among the environment's nights, of the first night at the new level. */
  index: number;
  /** The last night before the shift and the first after: the change landed in between. */
  lastBefore: Night;
  firstAfter: Night;
  /** Medians of the two levels, in the metric's unit. */
  beforeMedian: number;
  afterMedian: number;
  /** (after - before) / before in percent; null when before is 0. */
  changePercent: number | null;
  /** In the metric's own direction: slower latency, lower throughput. */
  worse: boolean;
  /**
   * Gap of the two levels' medians in standard errors of their difference (LEVEL_SHIFT_SCORE or
   * more); Infinity (null in JSON) when the nights of each level agreed exactly.
   */
  score: number;
  /** Nights at the new level, the newest included. */
  nightsSince: number;
}

export interface MetricTrend {
  metric: MetricId;
  /** The nightly figures, oldest first, in the metric's unit. */
  values: number[];
  shifts: Shift[];
}

/** The nights of one load on one kind of runner: only such nights are one series. */
export interface EnvironmentHistory {
  configKey: string;
  /** Null for nights written before environments were recorded. */
  environment: EnvironmentFingerprint | null;
  /** Whether the baseline's own (newest) figures belong here. */
  current: boolean;
  nights: Night[];
  trends: MetricTrend[];
  /** Why no change point could be looked for (too few nights), else null. */
  tooShort: string | null;
}

export interface DriftAnalysis {
  name: string;
  /** The current environment first, then the others, newest first. */
  environments: EnvironmentHistory[];
  /** Nights left out because the run was invalid. */
  invalidNights: number;
  /** The newest nights analysed (the baseline's own included), of `totalNights` in the file. */
  analysedNights: number;
  totalNights: number;
}

export interface DriftOptions {
  /** The metrics to analyse; the default gated performance metrics otherwise. */
  metrics?: readonly MetricId[];
  levelShift?: LevelShiftOptions;
  /** Analyse only the newest this many nights (1 to MAX_DRIFT_NIGHTS, the default). */
  nights?: number;
}

interface Group {
  configKey: string;
  environment: EnvironmentFingerprint | undefined;
  entries: HistoryEntry[];
}

/** Whether an entry was measured on the same kind of runner as a group's first night. */
function sameEnvironment(
  group: EnvironmentFingerprint | undefined,
  entry: EnvironmentFingerprint | undefined,
): boolean {
  if (!group || !entry) return group === entry;
  return environmentDifferences(group, entry).length === 0;
}

/** Change points per metric over the baseline's history and its own figures, per environment. */
export function analyseDrift(baseline: Baseline, options: DriftOptions = {}): DriftAnalysis {
  const metrics = (options.metrics ?? DEFAULT_GATED_METRICS).filter(
    (id) => METRICS[id].kind === 'performance',
  );
  const minSegment = options.levelShift?.minSegment ?? MIN_LEVEL_SAMPLES;
  if (!Number.isInteger(minSegment) || minSegment < 2) {
    throw new RangeError(
      `Invalid minimum segment ${minSegment}: expected a whole number of 2 or more.`,
    );
  }
  const nights = options.nights ?? MAX_DRIFT_NIGHTS;
  if (!Number.isInteger(nights) || nights < 1 || nights > MAX_DRIFT_NIGHTS) {
    throw new RangeError(
      `Invalid night count ${nights}: expected a whole number from 1 to ${MAX_DRIFT_NIGHTS}.`,
    );
  }
  const totalNights = baseline.history.length + 1;
  const earlier = nights === 1 ? [] : baseline.history.slice(-(nights - 1));
  const all = [...earlier, historyEntryOf(baseline)];
  const newest = all[all.length - 1] as HistoryEntry;
  const groups: Group[] = [];
  let invalidNights = 0;
  for (const entry of all) {
    if (!entry.valid) {
      invalidNights += 1;
      continue;
    }
    const group = groups.find(
      (candidate) =>
        candidate.configKey === entry.configKey &&
        sameEnvironment(candidate.environment, entry.environment),
    );
    if (group) group.entries.push(entry);
    else
      groups.push({ configKey: entry.configKey, environment: entry.environment, entries: [entry] });
  }
  const environments = groups.map((group) =>
    analyseGroup(group, group.entries.includes(newest), metrics, minSegment, options.levelShift),
  );
  const newestDate = (history: EnvironmentHistory) =>
    history.nights[history.nights.length - 1]?.date ?? '';
  environments.sort((a, b) =>
    a.current !== b.current ? (a.current ? -1 : 1) : newestDate(b).localeCompare(newestDate(a)),
  );
  return {
    name: baseline.name,
    environments,
    invalidNights,
    analysedNights: all.length,
    totalNights,
  };
}

function analyseGroup(
  group: Group,
  current: boolean,
  metrics: readonly MetricId[],
  minSegment: number,
  options: LevelShiftOptions | undefined,
): EnvironmentHistory {
  const nights = group.entries.map(({ date, commit }) => ({ date, commit }));
  const needed = 2 * minSegment;
  const tooShort =
    nights.length < needed
      ? `${nights.length} night(s) on this runner and load; a shift needs at least ${minSegment} on each side (${needed} in all)`
      : null;
  const trends = metrics.map((metric): MetricTrend => {
    const values = group.entries.map((entry) => entry.metrics[metric]);
    return { metric, values, shifts: tooShort ? [] : shiftsOf(metric, values, nights, options) };
  });
  return {
    configKey: group.configKey,
    environment: group.environment ?? null,
    current,
    nights,
    trends,
    tooShort,
  };
}

/**
 * The shifts of one series: its level shifts, less those whose levels differ by less than
 * MIN_SHIFT_RATIO (or, for counts, by no more than their per-trial allowance), the smallest
 * first, since dropping one merges its two levels and changes its neighbours' sizes. Exported for
 * bench/drift.ts, which judges simulated series night by night.
 */
export function shiftsOf(
  id: MetricId,
  values: readonly number[],
  nights: readonly Night[],
  options: LevelShiftOptions | undefined,
): Shift[] {
  const metric = METRICS[id];
  const points = levelShifts(
    values.map((value) => logFigure(metric, value)),
    options,
  );
  for (;;) {
    const bounds = [0, ...points.map((point) => point.index), values.length];
    const sizes = points.map((_, i) => {
      const before = median(values.slice(bounds[i], bounds[i + 1]));
      const after = median(values.slice(bounds[i + 1], bounds[i + 2]));
      const logGap = Math.abs(logFigure(metric, after) - logFigure(metric, before));
      const allowance = metric.countAllowance?.perTrial ?? 0;
      const big = logGap >= Math.log(MIN_SHIFT_RATIO) && Math.abs(after - before) > allowance;
      return { before, after, logGap, big };
    });
    const small = sizes
      .map((size, i) => ({ ...size, i }))
      .filter((size) => !size.big)
      .sort((a, b) => a.logGap - b.logGap)[0];
    if (small) {
      points.splice(small.i, 1);
      continue;
    }
    return points.map((point, i) => {
      const { before, after } = sizes[i] as { before: number; after: number };
      const worse = metric.direction === 'lower-is-better' ? after > before : after < before;
      return {
        metric: id,
        index: point.index,
        lastBefore: nights[point.index - 1] as Night,
        firstAfter: nights[point.index] as Night,
        beforeMedian: before,
        afterMedian: after,
        changePercent: before === 0 ? null : ((after - before) / before) * 100,
        worse,
        score: point.score,
        nightsSince: values.length - point.index,
      };
    });
  }
}

/** Shifts of the current environment whose new level began at most `withinNights` ago. */
export function recentShifts(analysis: DriftAnalysis, withinNights = RECENT_NIGHTS): Shift[] {
  const current = analysis.environments.find((history) => history.current);
  if (!current) return [];
  return current.trends.flatMap((trend) =>
    trend.shifts.filter((shift) => shift.nightsSince <= withinNights),
  );
}

const shortCommit = (night: Night): string => night.commit?.slice(0, 7) ?? 'unknown commit';
const day = (night: Night): string => night.date.slice(0, 10);

/** "abc1234 (2025-02-09) .. def5678 (2025-02-10)": the change landed after the first. */
export function commitRange(shift: Shift): string {
  return `${shortCommit(shift.lastBefore)} (${day(shift.lastBefore)}) .. ${shortCommit(shift.firstAfter)} (${day(shift.firstAfter)})`;
}

/** "Latency p50 +30% (10.0 -> 13.0 ms), worse, 7.1 standard errors, between abc1234 (…) .. def5678 (…)" */
export function describeShift(shift: Shift): string {
  const metric = METRICS[shift.metric];
  return `${metric.label} ${formatPercent(shift.changePercent)} (${formatWithUnit(metric, shift.beforeMedian)} -> ${formatWithUnit(metric, shift.afterMedian)}), ${shift.worse ? 'worse' : 'better'}, ${describeScore(shift.score)}, between ${commitRange(shift)}`;
}

/** "7.1 standard errors"; an infinite score: the nights agreed exactly within each level. */
export function describeScore(score: number): string {
  return Number.isFinite(score) ? `${score.toFixed(1)} standard errors` : 'noise-free levels';
}

/** Stable identity of a shift, so a drift issue can tell a new shift from one it already named. */
export function shiftKey(shift: Shift): string {
  return `${shift.metric}@${shift.firstAfter.date}`;
}
