import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Baseline } from '../../compare/baseline.js';
import type { MetricId } from '../../compare/metrics.js';
import { writeTrialSet } from '../../compare/result-file.js';
import { aggregateTrials } from '../../compare/trials.js';
import { compare, type CompareOptions } from '../../compare/verdict.js';
import type { Logger } from '../../engine/log.js';
import { redactUrls } from '../../shared/redact.js';
import { plannedRunConfig, runTrials } from '../../engine/run/run.js';
import type { RunOptions } from '../../engine/run/types.js';
import { runPairedCheck, type PairedCheckResult } from '../../paired/check.js';
import { renderPairedHtml } from '../../report/html.js';
import { sideResults } from '../../paired/rounds.js';
import {
  baselineDifferences,
  chooseReference,
  noiseJudged,
  ReferenceChoiceError,
  type CompareTo,
  type ReferenceChoice,
  type ReferenceFacts,
} from '../../paired/choose.js';
import { environmentFingerprint } from '../../engine/measure/fingerprint.js';
import { baseComposeFile } from '../../paired/trees.js';
import type { ServiceSettings } from '../../services/registry.js';
import type { SideSpec } from '../../paired/side.js';
import {
  committedBaselineLine,
  renderPairedMarkdown,
  renderPairedTerminal,
  type PairedReportContext,
} from '../../report/paired.js';
import { spawnExec } from '../../services/exec.js';
import { UserError } from '../errors.js';
import { stopOnSignals } from '../signals.js';
import { writeReports, type CommandIo } from './compare.js';

/** The CLI's paired run: `run --base-start …`, `--base-compose-file …` or `--base-dir …`. */

export interface PairedRunRequest {
  options: RunOptions & { trials: number };
  head: Omit<SideSpec, 'name' | 'logsPath'>;
  base: Omit<SideSpec, 'name' | 'logsPath'>;
  /** How the two sides are described in the report: "--base-dir ../main", "--start `…`". */
  describeBase: string;
  describeHead: string;
  choice: ReferenceChoice;
  rounds: number;
  tolerance: number;
  gatedMetrics?: readonly MetricId[];
  /** The committed baseline, for the report's second line; null without one. */
  baseline: Baseline | null;
  compareOptions: CompareOptions;
  name: string;
  /** The head's trials go here (a trial set); the base's beside it, `<stem>.base.json`. */
  outPath: string;
  markdown?: string;
  json: boolean;
  failOnInconclusive: boolean;
}

const SETTING_FLAGS = {
  composeFile: '--compose-file',
  readyTimeout: '--ready-timeout',
  startCommand: '--start',
} as const;

export async function runPaired(
  request: PairedRunRequest,
  io: CommandIo,
  logger: Logger,
): Promise<number> {
  const abort = new AbortController();
  const signals = stopOnSignals(logger, abort);
  const stem = request.outPath.replace(/\.json$/i, '');
  logger.info(`Reference: ${request.describeBase}; ${request.choice.why}`);
  let checked: PairedCheckResult;
  try {
    const {
      logger: _logger,
      signal: _signal,
      sut: _sut,
      trials: _trials,
      ...load
    } = request.options;
    checked = await runPairedCheck(
      {
        base: { ...request.base, logsPath: `${stem}.base.services.log` },
        head: { ...request.head, logsPath: `${stem}.head.services.log` },
        rounds: request.rounds,
        tolerance: request.tolerance,
        ...(request.gatedMetrics ? { gatedMetrics: request.gatedMetrics } : {}),
      },
      {
        exec: spawnExec((text) => process.stderr.write(text)),
        log: logger,
        env: process.env,
        tempDir: tmpdir(),
        readyTimeoutMs: request.options.readyTimeoutMs,
        settingName: (setting) => SETTING_FLAGS[setting],
        prepareSettingName: '--prepare',
        warmupSettingName: '--warmup',
        save: () => undefined,
        runTrials,
        load,
        signal: abort.signal,
      },
    );
  } catch (error) {
    const interrupted = signals.interruption();
    if (interrupted) throw interrupted;
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(
      redactUrls(message, [request.options.databaseUrl, request.options.redisUrl]),
    );
  } finally {
    signals.dispose();
  }

  const { run, verdict } = checked;
  const head = aggregateTrials(sideResults(run, 'head'));
  mkdirSync(dirname(request.outPath), { recursive: true });
  await writeTrialSet(request.outPath, head);
  await writeTrialSet(`${stem}.base.json`, aggregateTrials(sideResults(run, 'base')));
  logger.info(`head's rounds written to ${request.outPath}, the base's to ${stem}.base.json`);

  const context: PairedReportContext = {
    name: request.name,
    verdict,
    run,
    base: request.describeBase,
    head: request.describeHead,
    choice: request.choice.why,
    committedBaseline: request.baseline
      ? committedBaselineLine(compare(head, request.baseline, request.compareOptions))
      : null,
  };
  if (request.markdown) {
    await writeReports(request.markdown, renderPairedMarkdown(context), () =>
      renderPairedHtml(context, {
        history: request.baseline,
        gatedMetrics: request.gatedMetrics ?? null,
      }),
    );
  }
  io.stdout.write(
    request.json
      ? `${JSON.stringify(
          {
            name: request.name,
            reference: 'base',
            why: request.choice.why,
            verdict,
            committedBaseline: context.committedBaseline,
            prepareMs: run.prepareMs,
            rounds: run.rounds.map((round) => ({
              round: round.round,
              order: round.order,
              phases: { base: round.base.phases, head: round.head.phases },
            })),
          },
          null,
          2,
        )}\n`
      : renderPairedTerminal(context),
  );
  if (verdict.outcome === 'regression') return 1;
  return verdict.outcome === 'inconclusive' && request.failOnInconclusive ? 2 : 0;
}

/** The flags of a paired run, as commander parses them. */
export interface PairedFlags {
  compareTo: CompareTo;
  rounds: number;
  prepare?: string;
  baseStart?: string;
  baseComposeFile: string[];
  baseDir?: string;
  composeFile: string[];
  start?: string;
}

/**
 * How the base side runs, from --base-start / --base-compose-file / --base-dir: its own command
 * or compose files, or the head's from another tree. Null with none of them; `why` then says so.
 */
export function baseSideFrom(
  flags: PairedFlags,
  cwd: string,
): { spec: Omit<SideSpec, 'name' | 'logsPath'>; describe: string } | { why: string } {
  if (flags.baseStart && flags.baseComposeFile.length > 0) {
    throw new UserError(
      '--base-start and --base-compose-file are both given; give one: the base runs as a command or with docker compose',
    );
  }
  const headStarted = Boolean(flags.start) || flags.composeFile.length > 0;
  if (!headStarted) {
    return { why: 'this run does not start the SUT (no --start or --compose-file)' };
  }
  const baseCwd = flags.baseDir ? resolve(flags.baseDir) : cwd;
  if (flags.baseDir && !existsSync(baseCwd)) {
    throw new UserError(`--base-dir ${flags.baseDir}: no such directory`);
  }
  const prepareCommand = flags.prepare ?? null;
  if (flags.baseStart) {
    return {
      spec: {
        services: { mode: 'command', command: flags.baseStart },
        cwd: baseCwd,
        prepareCommand,
      },
      describe: `the base started by --base-start \`${flags.baseStart}\``,
    };
  }
  if (flags.baseComposeFile.length > 0) {
    return {
      spec: {
        services: { mode: 'compose', files: flags.baseComposeFile },
        cwd: baseCwd,
        prepareCommand,
      },
      describe: `the base run by --base-compose-file ${flags.baseComposeFile.join(', ')}`,
    };
  }
  if (flags.baseDir) {
    const services: ServiceSettings =
      flags.composeFile.length > 0
        ? {
            mode: 'compose',
            files: flags.composeFile.map((file) =>
              baseComposeFile(resolve(cwd, file), cwd, baseCwd),
            ),
          }
        : { mode: 'command', command: flags.start as string };
    return {
      spec: { services, cwd: baseCwd, prepareCommand },
      describe: `the base in --base-dir ${flags.baseDir}`,
    };
  }
  return { why: 'none of --base-start, --base-compose-file or --base-dir is given' };
}

/**
 * With the base flags (or `--compare-to base`), decides the reference and, when it is the base,
 * runs the paired check and returns its exit code; null: compare with the baseline as before.
 */
export async function runPairedIfChosen(
  flags: PairedFlags & {
    markdown?: string;
    json: boolean;
    failOnInconclusive: boolean;
    name?: string;
    out?: string;
    scenario: string;
  },
  context: {
    options: RunOptions & { trials: number };
    baseline: Baseline | null;
    compareOptions: (name: string) => CompareOptions;
    tolerance: number;
    gatedMetrics?: readonly MetricId[];
  },
  io: CommandIo,
  logger: Logger,
): Promise<number | null> {
  const cwd = process.cwd();
  const base = baseSideFrom(flags, cwd);
  const { baseline } = context;
  // --ignore-environment: the machine does not count, only the load; --require-same-environment:
  // the exact CPU model.
  const compareOptions = context.compareOptions('');
  const environmentMode = compareOptions.environment ?? 'comparable';
  const differences = await baselineDifferences(
    baseline,
    { environment: () => environmentFingerprint(), config: plannedRunConfig(context.options) },
    {
      strict: environmentMode === 'same',
      tolerance: compareOptions.tolerance,
      judged: noiseJudged(compareOptions),
    },
  );
  const choice = chooseReferenceOrFail({
    compareTo: flags.compareTo,
    settingName: '--compare-to',
    baseline:
      differences && environmentMode === 'ignore'
        ? { ...differences, environment: [], busier: null }
        : differences,
    base: 'spec' in base ? { available: true } : { available: false, why: base.why },
  });
  if (choice.reference === 'baseline' || !('spec' in base)) {
    if (flags.compareTo !== 'baseline') logger.info(`Reference: ${choice.why}`);
    return null;
  }
  const headServices: ServiceSettings =
    flags.composeFile.length > 0
      ? { mode: 'compose', files: flags.composeFile }
      : { mode: 'command', command: flags.start as string };
  const name = flags.name ?? baseline?.name ?? flags.scenario;
  return runPaired(
    {
      options: context.options,
      head: { services: headServices, cwd, prepareCommand: flags.prepare ?? null },
      base: base.spec,
      describeBase: base.describe,
      describeHead: `the head in ${cwd}`,
      choice,
      rounds: flags.rounds,
      tolerance: context.tolerance,
      ...(context.gatedMetrics ? { gatedMetrics: context.gatedMetrics } : {}),
      baseline,
      compareOptions: context.compareOptions(name),
      name,
      outPath:
        flags.out ??
        join(
          'results',
          `${flags.scenario}-ab-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
        ),
      ...(flags.markdown ? { markdown: flags.markdown } : {}),
      json: flags.json,
      failOnInconclusive: flags.failOnInconclusive,
    },
    io,
    logger,
  );
}

function chooseReferenceOrFail(facts: ReferenceFacts): ReferenceChoice {
  try {
    return chooseReference(facts);
  } catch (error) {
    if (error instanceof ReferenceChoiceError) throw new UserError(error.message);
    throw error;
  }
}
