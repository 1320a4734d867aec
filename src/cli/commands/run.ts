import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { Option, type Command } from 'commander';
import pc from 'picocolors';
import { DEFAULT_MIX, type EventMix } from '../../engine/events/generator.js';
import { stderrLogger, type Logger } from '../../engine/log.js';
import type { RunResult } from '../../engine/measure/result.js';
import { redactUrls } from '../../shared/redact.js';
import { runTrials, type RunHooks } from '../../engine/run/run.js';
import { defaultWarmupEvents, resolveShape, SCENARIO_NAMES } from '../../engine/run/scenarios.js';
import type { RunOptions } from '../../engine/run/types.js';
import { spawnExec } from '../../services/exec.js';
import { createService, type ServiceSettings } from '../../services/registry.js';
import { UserError } from '../errors.js';
import { COMPARE_TO } from '../../paired/choose.js';
import { runPairedIfChosen, type PairedFlags } from './run-paired.js';
import {
  databaseUrl,
  defaultDatabaseUrl,
  defaultRedisUrl,
  nonNegativeInt,
  nonNegativeNumber,
  port,
  positiveInt,
  positiveNumber,
  redisUrl,
} from '../options.js';
import { printRunSummary } from '../summary.js';
import { addEventFlags, addFaultFlags, progressOption } from '../flags.js';
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

/** The flags of `run`, as commander parses them. */
export interface RunFlags {
  scenario: string;
  events?: number;
  rate?: number;
  concurrency?: number;
  duration?: number;
  chainId: number;
  seed: number;
  mix?: EventMix;
  /** undefined = the default, 5 s of the target rate. */
  warmup?: number;
  trials: number;
  redisUrl: string;
  databaseUrl: string;
  applySchema: boolean;
  composeFile: string[];
  start?: string;
  startLog?: string;
  seedBeforeStart: boolean;
  sutHealthUrl: string[];
  readyTimeout: number;
  drainTimeout: number;
  /** undefined = 127.0.0.1, or 0.0.0.0 with --compose-file (containers reach it from outside). */
  receiverHost?: string;
  receiverPort: number;
  receiverPath: string;
  webhookUrl?: string;
  failRate: number;
  failStatus: number;
  delayMs: number;
  maxAvgLatencyMs: number;
  out?: string;
  progress: RunOptions['progress'];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Adds the load-shape and service flags shared by `run` and `quickstart`. */
export function addRunFlags(command: Command): Command {
  return addFaultFlags(addEventFlags(command))
    .addOption(
      new Option('--scenario <name>', `named load shape: ${SCENARIO_NAMES.join(', ')}`).default(
        'quick',
      ),
    )
    .option('-n, --events <n>', 'number of events to publish (overrides the scenario)', positiveInt)
    .option(
      '-r, --rate <n>',
      'target publish rate in events/s; 0 = as fast as possible',
      nonNegativeNumber,
    )
    .option(
      '-c, --concurrency <n>',
      'concurrent publishers, one Redis connection each',
      positiveInt,
    )
    .option(
      '-d, --duration <seconds>',
      'publish for this long instead of a fixed count',
      positiveNumber,
    )
    .option(
      '--warmup <n>',
      'events published and drained before measuring (default: 5 s of the rate, at least 200)',
      nonNegativeInt,
    )
    .option(
      '--trials <n>',
      'measured runs after the warm-up; figures are the median across them',
      positiveInt,
      1,
    )
    .option(
      '--redis-url <url>',
      'Redis of the SUT (default $REDIS_URL, else redis://127.0.0.1:6379)',
      redisUrl,
      defaultRedisUrl(),
    )
    .option(
      '--database-url <url>',
      'PostgreSQL of the SUT (default $DATABASE_URL, else localhost)',
      databaseUrl,
      defaultDatabaseUrl(),
    )
    .option('--apply-schema', "create EthHook's tables when missing (standalone use)", false)
    .option(
      '--compose-file <file>',
      'run the SUT with docker compose from this file (repeatable); up before the load, logs and down -v after',
      collect,
      [],
    )
    .option(
      '--start <command>',
      'start the SUT with this shell command as its own process group; the whole group is stopped afterwards',
    )
    .option(
      '--start-log <file>',
      "the SUT's log file (default: beside the result, <out>.services.log)",
    )
    .option(
      '--seed-before-start',
      'seed the endpoints before starting the SUT (default: after it is ready); for a SUT that loads its endpoints only at start-up',
      false,
    )
    .option(
      '--sut-health-url <url>',
      'SUT health URL that must answer 2xx before publishing (repeatable)',
      collect,
      [],
    )
    .option(
      '--ready-timeout <seconds>',
      'how long each readiness probe may take',
      positiveNumber,
      60,
    )
    .option(
      '--drain-timeout <seconds>',
      'stop waiting for webhooks after this long without one',
      positiveNumber,
      10,
    )
    .option(
      '--receiver-host <host>',
      'address the receiver binds (default 127.0.0.1; 0.0.0.0 with --compose-file, so containers reach it)',
    )
    .option('--receiver-port <port>', 'receiver port; 0 picks a free one', port, 0)
    .option('--receiver-path <path>', 'receiver webhook path', '/webhook')
    .option(
      '--webhook-url <url>',
      'URL the SUT must call, {port} = receiver port (default http://127.0.0.1:{port}<path>; http://host.docker.internal:{port}<path> with --compose-file)',
    )
    .option(
      '--max-avg-latency-ms <ms>',
      'absolute check: average latency must stay under this',
      positiveNumber,
      500,
    )
    .option(
      '--out <file>',
      'write the RunResult JSON here (default results/<scenario>-<time>.json)',
    )
    .addOption(progressOption());
}

function wrapUserError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new UserError(error instanceof Error ? error.message : String(error));
  }
}

export function runOptionsFrom(
  flags: RunFlags,
  logger: Logger,
  signal?: AbortSignal,
): RunOptions & { trials: number } {
  const shape = wrapUserError(() =>
    resolveShape(flags.scenario, {
      events: flags.events,
      ratePerSec: flags.rate,
      concurrency: flags.concurrency,
      durationSec: flags.duration,
    }),
  );
  const inCompose = flags.composeFile.length > 0;
  const webhookUrl =
    flags.webhookUrl ??
    (inCompose ? `http://host.docker.internal:{port}${flags.receiverPath}` : undefined);
  return {
    ...shape,
    trials: flags.trials,
    chainId: flags.chainId,
    seed: flags.seed,
    mix: flags.mix ?? DEFAULT_MIX,
    warmupEvents: flags.warmup ?? defaultWarmupEvents(shape.ratePerSec),
    redisUrl: flags.redisUrl,
    databaseUrl: flags.databaseUrl,
    applySchema: flags.applySchema,
    seedBeforeStart: flags.seedBeforeStart,
    receiver: {
      // Containers reach the host through its bridge address, not its loopback.
      host: flags.receiverHost ?? (inCompose ? '0.0.0.0' : '127.0.0.1'),
      port: flags.receiverPort,
      path: flags.receiverPath,
      ...(webhookUrl ? { publicUrl: webhookUrl } : {}),
      failureRate: flags.failRate,
      failureStatus: flags.failStatus,
      delayMs: flags.delayMs,
    },
    readyTimeoutMs: flags.readyTimeout * 1000,
    drainTimeoutMs: flags.drainTimeout * 1000,
    sutHealthUrls: flags.sutHealthUrl,
    thresholds: {
      maxAvgLatencyMs: flags.maxAvgLatencyMs,
      excellentThroughputPerSec: 1000,
      goodThroughputPerSec: 500,
    },
    progress: flags.progress,
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
  flags: Pick<RunFlags, 'composeFile' | 'start'>,
): ServiceSettings {
  if (flags.composeFile.length > 0 && flags.start) {
    throw new UserError(
      '--compose-file and --start are both given; give one: --compose-file to run the SUT with docker compose, --start to run it as a command, or neither when it is already running',
    );
  }
  if (flags.composeFile.length > 0) return { mode: 'compose', files: flags.composeFile };
  if (flags.start) return { mode: 'command', command: flags.start };
  return { mode: 'external' };
}

/** The service layer's settings, as this command's flags name them in errors. */
const SETTING_FLAGS = {
  composeFile: '--compose-file',
  readyTimeout: '--ready-timeout',
  startCommand: '--start',
} as const;

/** Exit codes of a run stopped by a signal: 128 + the signal's number, as shells report it. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

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
  let stoppedBy: keyof typeof SIGNAL_EXIT_CODES | null = null;
  const onSignal = (signal: keyof typeof SIGNAL_EXIT_CODES): void => {
    logger.warn(`${signal} received: stopping`);
    stoppedBy = signal;
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const options = runOptionsFrom(flags, logger, abort.signal);
  const outPath =
    flags.out ??
    join('results', `${flags.scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const logsPath = flags.startLog ?? `${outPath.replace(/\.json$/i, '')}.services.log`;
  const service = createService(settings, {
    instance: 'sut',
    cwd: process.cwd(),
    env: process.env,
    logsPath,
    tempDir: tmpdir(),
    readyTimeoutMs: options.readyTimeoutMs,
    settingName: (setting) => SETTING_FLAGS[setting],
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
    if (stoppedBy) throw new UserError(`interrupted by ${stoppedBy}`, SIGNAL_EXIT_CODES[stoppedBy]);
    mkdirSync(dirname(outPath), { recursive: true });
    // One measured run is written as a RunResult; several as a trial set (their aggregate).
    const aggregate = aggregateTrials(results);
    if (results.length === 1) writeFileSync(outPath, `${JSON.stringify(results[0], null, 2)}\n`);
    else await writeTrialSet(outPath, aggregate);
    return { results, aggregate, outPath };
  } catch (error) {
    if (stoppedBy) throw new UserError(`interrupted by ${stoppedBy}`, SIGNAL_EXIT_CODES[stoppedBy]);
    if (error instanceof UserError) throw error;
    let message = error instanceof Error ? error.message : String(error);
    const more = await service.describeFailure().catch(() => '');
    if (more)
      message += `
${more}`;
    throw new UserError(redactUrls(message, [flags.databaseUrl, flags.redisUrl]));
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    const logs = await service.collectLogs({ quiet: true }).catch(() => null);
    if (logs) logger.info(`The SUT's logs: ${logs}`);
    await service.stop();
  }
}

export interface RunCommandFlags extends RunFlags, ComparisonFlags, PairedFlags {
  baseline?: string;
  name?: string;
}

/** The run, then (with --baseline) the verdict; returns the exit code. */
export async function runCommand(
  flags: RunCommandFlags,
  io: CommandIo,
  logger: Logger,
): Promise<number> {
  const baseline = flags.baseline
    ? await readInput(() => readBaselineIfExists(flags.baseline!))
    : null;
  const paired = await runPairedIfChosen(
    flags,
    {
      options: runOptionsFrom(flags, logger),
      baseline,
      compareOptions: (name) => compareOptionsFrom(flags, name),
      tolerance: flags.tolerance,
      ...(flags.gate ? { gatedMetrics: flags.gate } : {}),
    },
    io,
    logger,
  );
  if (paired !== null) return paired;
  const name =
    flags.name ??
    baseline?.name ??
    (flags.baseline ? basename(flags.baseline).replace(/\.json$/i, '') : flags.scenario);
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
    .option(
      '--baseline <file>',
      'compare with this baseline (e.g. baselines/quick.json); missing file: inconclusive',
    )
    .option('--name <name>', "name in the report (default: the baseline's)")
    .addOption(
      new Option(
        '--compare-to <reference>',
        'auto: the baseline when measured on a machine like this, else the base (--base-*) measured here; baseline; base',
      )
        .choices(COMPARE_TO)
        .default('auto'),
    )
    .option(
      '--rounds <n>',
      'paired A/B: rounds of base and head, in alternating order',
      positiveInt,
      3,
    )
    .option(
      '--prepare <command>',
      'paired A/B: run once per side, in its tree, before the first round',
    )
    .option(
      '--base-start <command>',
      'paired A/B: start the base with this command (the head: --start)',
    )
    .option(
      '--base-compose-file <file>',
      'paired A/B: run the base with docker compose from this file (repeatable)',
      collect,
      [],
    )
    .option(
      '--base-dir <tree>',
      "paired A/B: the base's checkout; the head's --start or --compose-file run from it",
    );
  addComparisonFlags(command).action(async (flags: RunCommandFlags) => {
    io.setExitCode(await runCommand(flags, io, stderrLogger()));
  });
}
