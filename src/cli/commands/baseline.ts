import { InvalidArgumentError, type Command } from 'commander';
import {
  baselineCandidateProblems,
  injectedFaultsProblem,
  baselinePath,
  DEFAULT_HISTORY_LIMIT,
  isValidBaselineName,
  MAX_HISTORY_LIMIT,
  readBaseline,
  readBaselineIfExists,
  updateBaseline,
  writeBaseline,
  type Baseline,
} from '../../compare/baseline.js';
import { configDifferences, describeDifferences } from '../../compare/comparability.js';
import { formatWithUnit } from '../../compare/format.js';
import { HEADLINE_METRICS } from '../../compare/metrics.js';
import { readResultFile } from '../../compare/result-file.js';
import { UserError } from '../errors.js';
import { count, parseWith } from '../../settings/kinds.js';
import { processIo, readInput, type CommandIo } from './compare.js';

export const DEFAULT_BASELINE_DIR = 'baselines';

export interface BaselineUpdateFlags {
  name?: string;
  dir: string;
  commit?: string;
  historyLimit: number;
  force: boolean;
  allowFaults: boolean;
}

export interface BaselineIo extends CommandIo {
  env: NodeJS.ProcessEnv;
  now(): Date;
}

const defaultIo: BaselineIo = { ...processIo, env: process.env, now: () => new Date() };

function baselineName(raw: string): string {
  if (!isValidBaselineName(raw)) {
    throw new InvalidArgumentError(
      "Expected letters, digits, '.', '_' and '-' (e.g. steady or burst-1k).",
    );
  }
  return raw;
}

/** "argument '1000000' is invalid. Expected a whole number from 0 to 1,000 nights." */
function historyLimit(raw: string): number {
  const parsed = parseWith(count(0, MAX_HISTORY_LIMIT, ' nights'), raw, '--history-limit');
  if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
  return parsed.value;
}

function figures(baseline: Baseline): string {
  const { metrics } = baseline.aggregate;
  return HEADLINE_METRICS.filter((metric) => metric.kind === 'performance')
    .map((metric) => `${metric.id} ${formatWithUnit(metric, metrics[metric.id])}`)
    .join(', ');
}

/** Writes or refreshes `<dir>/<name>.json`; the previous aggregate moves into the history. */
export async function updateBaselineCommand(
  resultPath: string,
  flags: BaselineUpdateFlags,
  io: BaselineIo,
): Promise<Baseline> {
  const aggregate = await readInput(() => readResultFile(resultPath));
  const name = flags.name ?? aggregate.config.scenario;
  let path: string;
  try {
    path = baselinePath(flags.dir, name);
  } catch (error) {
    throw new UserError(
      `${(error as Error).message}${flags.name ? '' : ' (taken from the scenario; pass --name)'}`,
    );
  }
  const faults = injectedFaultsProblem(aggregate);
  if (faults && !flags.allowFaults) {
    throw new UserError(
      `Not writing ${path}: ${faults}. Pass --allow-faults to record it as a baseline anyway; only runs with the same faults will then compare with it.`,
    );
  }
  const problems = baselineCandidateProblems(aggregate);
  if (problems.length > 0 && !flags.force) {
    throw new UserError(
      `Not writing ${path}: ${problems.join('; ')}. A baseline from such a run would make every later comparison meaningless; fix the run, or pass --force.`,
    );
  }
  const existing = await readInput(() => readBaselineIfExists(path));
  const updated = updateBaseline(existing, aggregate, {
    name,
    commit: flags.commit ?? io.env.GITHUB_SHA ?? null,
    // The date the figures describe (a nightly run's), so the trend reads by night; a file
    // without a usable timestamp is dated now.
    date: Number.isNaN(Date.parse(aggregate.finishedAt))
      ? io.now().toISOString()
      : new Date(aggregate.finishedAt).toISOString(),
    historyLimit: flags.historyLimit,
  });
  await writeBaseline(path, updated);

  const lines = [
    `${existing ? 'Refreshed' : 'Created'} ${path}: ${figures(updated)} (${aggregate.trialCount} trial${aggregate.trialCount === 1 ? '' : 's'}).`,
  ];
  if (existing) {
    lines.push(
      `The previous baseline (${existing.commit?.slice(0, 7) ?? 'no commit'} of ${existing.date.slice(0, 10)}) moved into the history, which now holds ${updated.history.length} of at most ${flags.historyLimit} nights.`,
    );
    const changed = configDifferences(existing.aggregate.config, aggregate.config);
    if (changed.length > 0) {
      lines.push(
        `The scenario changed (${describeDifferences(changed)}): earlier nights stay in the history for the trend but no longer count for the noise estimate.`,
      );
    }
  } else {
    lines.push(`Commit it so pull requests are compared with it.`);
  }
  if (problems.length > 0) lines.push(`Written despite: ${problems.join('; ')} (--force).`);
  if (faults) lines.push(`Written despite: ${faults} (--allow-faults).`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return updated;
}

export async function showBaselineCommand(path: string, io: CommandIo): Promise<Baseline> {
  const baseline = await readInput(() => readBaseline(path));
  const { aggregate } = baseline;
  io.stdout.write(
    [
      `${path}: baseline "${baseline.name}", commit ${baseline.commit ?? 'unknown'}, recorded ${baseline.date}.`,
      `Scenario ${aggregate.config.scenario} at ${aggregate.config.ratePerSec} events/s, ${aggregate.trialCount} trial(s), ${aggregate.validity.valid ? 'valid' : `INVALID (${aggregate.validity.reasons.join('; ')})`}.`,
      `Figures: ${figures(baseline)}.`,
      `Machine: ${aggregate.environment.cpuModel}, ${aggregate.environment.cpuCores} cores, ${aggregate.environment.memoryGiB} GiB.`,
      `History: ${baseline.history.length} earlier night(s)${baseline.history.length > 0 ? ` since ${baseline.history[0]?.date.slice(0, 10)}` : ''}.`,
    ].join('\n') + '\n',
  );
  return baseline;
}

export function registerBaselineCommand(program: Command, io: BaselineIo = defaultIo): void {
  const baseline = program
    .command('baseline')
    .description(
      'Create, refresh and inspect the committed baselines pull requests are compared with.',
    );
  // buildProgram makes top-level commands throw instead of exiting; nested ones must opt in.
  baseline
    .command('update')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .description(
      'Write or refresh <dir>/<name>.json from a result (one run or a trial set), keeping the history of earlier baselines.',
    )
    .argument('<result.json>', 'result file written by `run` (--trials N writes a trial set)')
    .option('--name <name>', "baseline name (default: the result's scenario)", baselineName)
    .option('--dir <dir>', 'directory of the baselines', DEFAULT_BASELINE_DIR)
    .option('--commit <sha>', 'commit the result measured (default: $GITHUB_SHA)')
    .option(
      '--history-limit <n>',
      `earlier baselines kept for the trend, the noise estimate and drift detection (\`history\`), 0 to ${MAX_HISTORY_LIMIT}`,
      historyLimit,
      DEFAULT_HISTORY_LIMIT,
    )
    .option('--force', 'write even from an invalid run or one that lost deliveries', false)
    .option(
      '--allow-faults',
      'write even from a run with injected faults (--fail-rate, --delay-ms); --force does not',
      false,
    )
    .action(async (resultPath: string, flags: BaselineUpdateFlags) => {
      await updateBaselineCommand(resultPath, flags, io);
    });
  baseline
    .command('show')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .description('Check a baseline file and print its figures.')
    .argument('<baseline.json>', 'e.g. baselines/steady.json')
    .action(async (path: string) => {
      await showBaselineCommand(path, io);
    });
}
