/**
 * Test-only: baselines with a synthetic nightly history, for the drift analysis and the
 * commands and action steps that report it. Nothing in the shipped code imports it.
 */
import { historyEntryOf, updateBaseline, type Baseline } from './baseline.js';
import { makeRunResult } from './fixtures.js';
import type { MetricId } from './metrics.js';
import { seededRandom } from '../engine/random.js';
import { aggregateTrials } from './trials.js';

export interface SeriesShape {
  nights: number;
  level: number;
  /** Relative standard deviation of each night (0.05: 5%), log-normal. */
  noise?: number;
  /** The first night of a new level, and the new level's ratio to the old one. */
  shift?: { at: number; ratio: number };
  seed?: number;
}

/** A nightly series: a level, log-normal noise, and optionally one step. */
export function syntheticSeries(shape: SeriesShape): number[] {
  const random = seededRandom(shape.seed ?? 1);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: shape.nights }, (_, night) => {
    const level =
      shape.shift && night >= shape.shift.at ? shape.level * shape.shift.ratio : shape.level;
    return level * Math.exp((shape.noise ?? 0) * normal());
  });
}

export const nightDate = (night: number): string =>
  new Date(Date.UTC(2026, 0, 1 + night, 2)).toISOString();
export const nightCommit = (night: number): string =>
  `${night.toString(16).padStart(4, '0')}${'c'.repeat(36)}`;

/**
 * A baseline whose history holds the given per-night figures (the last night is the baseline's
 * own aggregate); metrics not given stay at the fixture's constant figures.
 */
export function baselineWithNights(
  series: Partial<Record<MetricId, readonly number[]>>,
  name = 'nightly',
): Baseline {
  const nights = Math.max(...Object.values(series).map((values) => values.length));
  const template = aggregateTrials([makeRunResult({ sampleCount: 1000 })]);
  const metricsOf = (night: number) => {
    const metrics = { ...template.metrics };
    for (const [id, values] of Object.entries(series)) {
      metrics[id as MetricId] = values[night] as number;
    }
    return metrics;
  };
  const last = nights - 1;
  const baseline = updateBaseline(
    null,
    { ...template, metrics: metricsOf(last) },
    { name, commit: nightCommit(last), date: nightDate(last) },
  );
  // Built directly: refreshing the baseline night by night re-estimates the noise each time.
  const entry = historyEntryOf(baseline);
  baseline.history = Array.from({ length: last }, (_, night) => ({
    ...entry,
    date: nightDate(night),
    commit: nightCommit(night),
    metrics: metricsOf(night),
  }));
  return baseline;
}
