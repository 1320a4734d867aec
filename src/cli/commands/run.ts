import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { Option, type Command } from 'commander';
import pc from 'picocolors';
import { DEFAULT_MIX, type EventMix } from '../../engine/events/generator.js';
import { stderrLogger, type Logger } from '../../engine/log.js';
import type { RunResult } from '../../engine/measure/result.js';
import { redactUrls } from '../../shared/redact.js';
import { runTrials } from '../../engine/run/run.js';
import { defaultWarmupEvents, resolveShape, SCENARIO_NAMES } from '../../engine/run/scenarios.js';
import type { RunOptions } from '../../engine/run/types.js';
import { startSut, type StartedSut } from '../../engine/sut/process.js';
import { UserError } from '../errors.js';
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
import { compare } from '../../compare/verdict.js';
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
  start?: string;
  startLog?: string;
  sutHealthUrl: string[];
  readyTimeout: number;
  drainTimeout: number;
  receiverHost: string;
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
    .option('--start <command>', 'start the SUT with this shell command, stop it afterwards')
    .option('--start-log <file>', 'where the started SUT writes its output')
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
      'address the receiver binds (0.0.0.0 when the SUT runs in containers)',
      '127.0.0.1',
    )
    .option('--receiver-port <port>', 'receiver port; 0 picks a free one', port, 0)
    .option('--receiver-path <path>', 'receiver webhook path', '/webhook')
    .option(
      '--webhook-url <url>',
      'URL the SUT must call, {port} = receiver port (default http://127.0.0.1:{port}<path>)',
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
    receiver: {
      host: flags.receiverHost,
      port: flags.receiverPort,
      path: flags.receiverPath,
      ...(flags.webhookUrl ? { publicUrl: flags.webhookUrl } : {}),
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

/**
 * Runs the trials, starting and always stopping the SUT when --start is given (also on Ctrl-C
 * and on failure), and writes the result file.
 */
export async function executeRun(flags: RunFlags, logger: Logger): Promise<ExecutedRun> {
  const abort = new AbortController();
  let sut: StartedSut | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.warn(`${signal} received: stopping`);
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const options = runOptionsFrom(flags, logger, abort.signal);
  try {
    const results = await runTrials(
      {
        ...options,
        sutWatch: { exitedError: () => sut?.exitedError() ?? null },
      },
      {
        afterSeed: async () => {
          if (!flags.start) return;
          const logFile = flags.startLog ?? join(tmpdir(), `ethhook-lt-sut-${process.pid}.log`);
          sut = startSut(flags.start, { logFile });
          logger.info(`Started the SUT (pid ${sut.pid}): ${flags.start}; its log: ${logFile}`);
        },
      },
    );
    if (abort.signal.aborted) throw new UserError('interrupted', 130);
    const outPath =
      flags.out ??
      join('results', `${flags.scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    mkdirSync(dirname(outPath), { recursive: true });
    // One measured run is written as a RunResult; several as a trial set (their aggregate).
    const aggregate = aggregateTrials(results);
    if (results.length === 1) writeFileSync(outPath, `${JSON.stringify(results[0], null, 2)}\n`);
    else await writeTrialSet(outPath, aggregate);
    return { results, aggregate, outPath };
  } catch (error) {
    if (error instanceof UserError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(redactUrls(message, [flags.databaseUrl, flags.redisUrl]));
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    const started = sut as StartedSut | null;
    if (started) {
      await started.stop();
      logger.info(`Stopped the SUT (pid ${started.pid})`);
    }
  }
}

export interface RunCommandFlags extends RunFlags, ComparisonFlags {
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
  const { results, aggregate, outPath } = await executeRun(flags, logger);
  if (!flags.json) for (const result of results) printRunSummary(result, process.stderr);
  logger.info(`${pc.dim('result written to')} ${outPath}`);
  if (!flags.baseline) {
    if (flags.json)
      io.stdout.write(
        `${JSON.stringify(results.length === 1 ? results[0] : toTrialSetFile(aggregate), null, 2)}\n`,
      );
    return 0;
  }
  const name = flags.name ?? baseline?.name ?? basename(flags.baseline).replace(/\.json$/i, '');
  const verdict = compare(aggregate, baseline, compareOptionsFrom(flags, name));
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
    .option('--name <name>', "name in the report (default: the baseline's)");
  addComparisonFlags(command).action(async (flags: RunCommandFlags) => {
    io.setExitCode(await runCommand(flags, io, stderrLogger()));
  });
}
