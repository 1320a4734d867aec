import { InvalidArgumentError, type Command } from 'commander';
import { EXIT_CODES } from '../../check/exit.js';
import { readBaseline } from '../../compare/baseline.js';
import {
  analyseDrift,
  MAX_DRIFT_NIGHTS,
  RECENT_NIGHTS,
  recentShifts,
  type DriftAnalysis,
} from '../../compare/drift.js';
import {
  InvalidMetricOptionError,
  METRIC_LIST,
  METRICS,
  parseMetricList,
  type MetricId,
} from '../../compare/metrics.js';
import { renderDriftText } from '../../report/drift.js';
import { count, parseWith } from '../../settings/kinds.js';
import { positiveInt } from '../options.js';
import { processIo, readInput, type CommandIo } from './compare.js';

/**
 * Exit code when a metric of the current runner shifted for the worse within the recent nights:
 * apart from 1 (bad input) so a nightly job can tell drift from a broken file.
 */
export const DRIFT_EXIT_CODE = 3;

export interface HistoryFlags {
  metrics?: MetricId[];
  recent: number;
  nights: number;
  json: boolean;
}

function nightCount(raw: string): number {
  const parsed = parseWith(count(1, MAX_DRIFT_NIGHTS, ' nights'), raw, '--nights');
  if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
  return parsed.value;
}

function metricList(raw: string): MetricId[] {
  let ids: MetricId[];
  try {
    ids = parseMetricList(raw, '--metrics');
  } catch (error) {
    if (error instanceof InvalidMetricOptionError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  // Correctness figures fail a run on their own; a trend of them is not drift.
  const correctness = ids.filter((id) => METRICS[id].kind !== 'performance');
  if (correctness.length > 0) {
    throw new InvalidArgumentError(
      `--metrics: ${correctness.join(', ')} ${correctness.length > 1 ? 'are correctness metrics' : 'is a correctness metric'}, judged on its own, not for drift; expected performance metrics: ${METRIC_LIST.filter(
        (metric) => metric.kind === 'performance',
      )
        .map((metric) => metric.id)
        .join(', ')}.`,
    );
  }
  return ids;
}

/** Prints the shifts per metric and returns the exit code: 3 on recent drift for the worse. */
export async function historyCommand(
  path: string,
  flags: HistoryFlags,
  io: CommandIo,
): Promise<{ analysis: DriftAnalysis; exitCode: number }> {
  const baseline = await readInput(() => readBaseline(path));
  const analysis = analyseDrift(baseline, {
    nights: flags.nights,
    ...(flags.metrics ? { metrics: flags.metrics } : {}),
  });
  const recent = recentShifts(analysis, flags.recent);
  io.stdout.write(
    flags.json
      ? `${JSON.stringify({ ...analysis, recent: { withinNights: flags.recent, shifts: recent } }, null, 2)}\n`
      : renderDriftText(analysis),
  );
  return { analysis, exitCode: recent.some((shift) => shift.worse) ? DRIFT_EXIT_CODE : 0 };
}

export function registerHistoryCommand(program: Command, io: CommandIo = processIo): void {
  program
    .command('history')
    .description(
      `Find level shifts in a baseline's nightly history (median gap beyond the nightly noise), per metric and runner. Exit 0 none recent, ${DRIFT_EXIT_CODE} a metric shifted for the worse within the recent nights, ${EXIT_CODES.input} bad input.`,
    )
    .argument('<baseline.json>', 'e.g. baselines/steady.json')
    .option(
      '--metrics <list>',
      'metrics to analyse, e.g. p50,p95,throughput (default: the gated performance metrics)',
      metricList,
    )
    .option(
      '--recent <nights>',
      `a shift whose new level began within this many nights is recent (exit ${DRIFT_EXIT_CODE} when worse)`,
      positiveInt,
      RECENT_NIGHTS,
    )
    .option(
      '--nights <n>',
      `analyse the newest n nights, the baseline's own included (at most ${MAX_DRIFT_NIGHTS}: every night a baseline can keep)`,
      nightCount,
      MAX_DRIFT_NIGHTS,
    )
    .option('--json', 'print the analysis as JSON', false)
    .action(async (path: string, flags: HistoryFlags) => {
      const { exitCode } = await historyCommand(path, flags, io);
      io.setExitCode(exitCode);
    });
}
