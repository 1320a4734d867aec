import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Command } from 'commander';
import pc from 'picocolors';
import { stderrLogger, type Logger } from '../../engine/log.js';
import type { RunResult } from '../../engine/measure/result.js';
import { redactUrls } from '../../shared/redact.js';
import { runTrials, type RunHooks } from '../../engine/run/run.js';
import type { RunOptions } from '../../engine/run/types.js';
import { spawnExec } from '../../services/exec.js';
import { createService, type ServiceSettings } from '../../services/registry.js';
import { runPairedIfChosen } from './run-paired.js';
import type { SettingKey } from '../../settings/declaration.js';
import { outputFileProblem } from '../../settings/paths.js';
import {
  baselineFileOf,
  nameOn,
  valueOf,
  resolveRunSettings,
  resolveServices,
  SettingError,
  type Given,
} from '../../settings/resolve.js';
import { UserError } from '../errors.js';
import { stopOnSignals } from '../signals.js';
import { printRunSummary } from '../summary.js';
import { addConfigFlag, addSettingFlags, settingOption } from '../settings-flags.js';
import { readBaselineIfExists } from '../../compare/baseline.js';
import { toTrialSetFile, writeTrialSet } from '../../compare/result-file.js';
import { aggregateTrials, type TrialAggregate } from '../../compare/trials.js';
import { judgeConfirmed, type JudgedRun } from '../../compare/confirm.js';
import { compare, EXIT_CODES } from '../../compare/verdict.js';
import {
  addComparisonFlags,
  compareOptionsFrom,
  processIo,
  readInput,
  reportVerdict,
  type CommandIo,
  type ComparisonFlags,
} from './compare.js';

/** The flags of `run` and `quickstart` that shape the run, in --help order (src/settings). */
export const RUN_FLAG_KEYS = [
  'scenario',
  'events',
  'rate',
  'concurrency',
  'duration',
  'warmup',
  'trials',
  'chainId',
  'seed',
  'mix',
  'redisUrl',
  'databaseUrl',
  'applySchema',
  'composeFile',
  'startCommand',
  'startLog',
  'seedBeforeStart',
  'sutHealthUrls',
  'readyTimeout',
  'drainTimeout',
  'receiverHost',
  'receiverPort',
  'receiverPath',
  'webhookUrl',
  'failRate',
  'failStatus',
  'delayMs',
  'stallMs',
  'stallAtSec',
  'maxAvgLatencyMs',
  'out',
  'progress',
] as const satisfies readonly SettingKey[];

/** The flags of `run`, as commander parses them: undefined = not given. */
export type RunFlags = Pick<Given, (typeof RUN_FLAG_KEYS)[number]>;

/** Adds the load-shape and service flags shared by `run` and `quickstart`. */
export function addRunFlags(command: Command): Command {
  return addSettingFlags(command, RUN_FLAG_KEYS);
}

function asUserError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof SettingError) throw new UserError(error.message);
    throw error;
  }
}

/** Checked before anything starts: a full run whose result cannot be written is lost. */
function checkOutputFile(file: string, flag: string, example?: string): void {
  const problem = outputFileProblem(file, example);
  if (problem) throw new UserError(`${flag} ${file}: ${problem}.`);
}

export function runOptionsFrom(
  flags: RunFlags,
  logger: Logger,
  signal?: AbortSignal,
): RunOptions & { trials: number } {
  const settings = asUserError(() =>
    resolveRunSettings(flags, { surface: 'cli', env: process.env }),
  );
  return {
    ...settings,
    progress: flags.progress ?? 'auto',
    logger,
    ...(signal ? { signal } : {}),
  };
}

export interface ExecutedRun {
  results: RunResult[];
  aggregate: TrialAggregate;
  outPath: string;
}

/** The way the SUT runs, from --compose-file / --start (one of them, or neither). */
export function serviceSettingsFrom(
  flags: Pick<RunFlags, 'composeFile' | 'startCommand'>,
): ServiceSettings {
  return asUserError(() => resolveServices(flags, 'cli'));
}

/**
 * Starts the SUT (compose or a command, when asked), runs the trials and always stops the SUT
 * and everything it started (also on Ctrl-C, SIGTERM and failure); writes the result file, and
 * the SUT's log beside it.
 */
export async function executeRun(
  flags: RunFlags,
  logger: Logger,
  afterTrials?: RunHooks['afterTrials'],
): Promise<ExecutedRun> {
  const settings = serviceSettingsFrom(flags);
  const abort = new AbortController();
  const options = runOptionsFrom(flags, logger, abort.signal);
  const outPath =
    flags.out ??
    join('results', `${options.scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const logsPath = flags.startLog ?? `${outPath.replace(/\.json$/i, '')}.services.log`;
  checkOutputFile(outPath, flags.out ? '--out' : 'the default --out');
  if (settings.mode !== 'external')
    checkOutputFile(logsPath, flags.startLog ? '--start-log' : 'the SUT log beside --out');
  const signals = stopOnSignals(logger, abort);
  const service = createService(settings, {
    instance: 'sut',
    cwd: process.cwd(),
    env: process.env,
    logsPath,
    tempDir: tmpdir(),
    readyTimeoutMs: options.readyTimeoutMs,
    settingName: (setting) => nameOn('cli', setting),
    exec: spawnExec((text) => process.stderr.write(text)),
    log: logger,
    save: () => undefined,
    signal: abort.signal,
  });
  try {
    await service.prepare();
    const results = await runTrials(
      { ...options, sut: service },
      afterTrials ? { afterTrials } : {},
    );
    const interrupted = signals.interruption();
    if (interrupted) throw interrupted;
    mkdirSync(dirname(outPath), { recursive: true });
    // One measured run is written as a RunResult; several as a trial set (their aggregate).
    const aggregate = aggregateTrials(results);
    if (results.length === 1) writeFileSync(outPath, `${JSON.stringify(results[0], null, 2)}\n`);
    else await writeTrialSet(outPath, aggregate);
    return { results, aggregate, outPath };
  } catch (error) {
    const interrupted = signals.interruption();
    if (interrupted) throw interrupted;
    if (error instanceof UserError) throw error;
    let message = error instanceof Error ? error.message : String(error);
    const more = await service.describeFailure().catch(() => '');
    if (more)
      message += `
${more}`;
    throw new UserError(redactUrls(message, [options.databaseUrl, options.redisUrl]));
  } finally {
    signals.dispose();
    const logs = await service.collectLogs({ quiet: true }).catch(() => null);
    if (logs) logger.info(`The SUT's logs: ${logs}`);
    await service.stop();
  }
}

/** The paired A/B flags of `run` (src/paired), as declared in src/settings. */
export const PAIRED_FLAG_KEYS = [
  'compareTo',
  'rounds',
  'prepare',
  'baseStart',
  'baseComposeFile',
  'baseDir',
] as const satisfies readonly SettingKey[];

export type RunCommandFlags = RunFlags &
  ComparisonFlags &
  Pick<Given, 'baseline' | 'name' | (typeof PAIRED_FLAG_KEYS)[number]>;

/** The run, then (with --baseline) the verdict; returns the exit code. */
export async function runCommand(
  flags: RunCommandFlags,
  io: CommandIo,
  logger: Logger,
): Promise<number> {
  const baselineFile = flags.baseline ? baselineFileOf(flags.baseline) : undefined;
  const baseline = baselineFile ? await readInput(() => readBaselineIfExists(baselineFile)) : null;
  if (flags.markdown) checkOutputFile(flags.markdown, '--markdown', 'report.md');
  const runOptions = runOptionsFrom(flags, logger);
  const compareOptions = compareOptionsFrom(flags, '');
  const paired = await runPairedIfChosen(
    {
      ...flags,
      compareTo: valueOf(flags, 'compareTo', 'cli')!,
      rounds: valueOf(flags, 'rounds', 'cli')!,
      baseComposeFile: flags.baseComposeFile ?? [],
      composeFile: flags.composeFile ?? [],
      start: flags.startCommand,
      scenario: runOptions.scenario,
      json: flags.json === true,
      failOnInconclusive: flags.failOnInconclusive === true,
    },
    {
      options: runOptions,
      baseline,
      compareOptions: (name) => compareOptionsFrom(flags, name),
      tolerance: compareOptions.tolerance,
      ...(compareOptions.gatedMetrics ? { gatedMetrics: compareOptions.gatedMetrics } : {}),
    },
    io,
    logger,
  );
  if (paired !== null) return paired;
  const name =
    flags.name ??
    baseline?.name ??
    (baselineFile ? basename(baselineFile).replace(/\.json$/i, '') : runOptions.scenario);
  const options = compareOptionsFrom(flags, name);
  // Judged while the SUT is still up, so a regression is confirmed by one more trial.
  let judged: JudgedRun | null = null;
  const { results, aggregate, outPath } = await executeRun(
    flags,
    logger,
    baseline
      ? async (trials, measureMore) => {
          judged = await judgeConfirmed(trials, baseline, options, measureMore);
        }
      : undefined,
  );
  if (!flags.json) for (const result of results) printRunSummary(result, process.stderr);
  logger.info(`${pc.dim('result written to')} ${outPath}`);
  const verdict = (judged as JudgedRun | null)?.verdict ?? compare(aggregate, baseline, options);
  if (!flags.baseline) {
    if (flags.json)
      io.stdout.write(
        `${JSON.stringify(results.length === 1 ? results[0] : toTrialSetFile(aggregate), null, 2)}\n`,
      );
    // Without a baseline only correctness is judged, and it fails on its own: every delivery
    // lost is a broken pipeline with or without a reference.
    if (verdict.outcome !== 'regression') return 0;
    logger.warn([verdict.summary, ...verdict.reasons].join('\n'));
    return EXIT_CODES.regression;
  }
  return reportVerdict(verdict, { name, current: aggregate, baseline }, flags, io);
}

export function registerRunCommand(program: Command, io: CommandIo = processIo): void {
  const command = addRunFlags(
    program
      .command('run')
      .description(
        'Readiness, seed, receiver, warm-up, publish, drain: a measured load test of the SUT; with --baseline, the verdict too (exit 1 on regression)',
      ),
  )
    .addOption(
      settingOption('baseline', {
        help: 'Compare with this baseline (e.g. baselines/quick.json); a missing file is an inconclusive verdict',
        defaultText: null,
      }),
    )
    .addOption(settingOption('name'));
  addSettingFlags(command, PAIRED_FLAG_KEYS);
  addConfigFlag(addComparisonFlags(command)).action(async (flags: RunCommandFlags) => {
    io.setExitCode(await runCommand(flags, io, stderrLogger()));
  });
}
