import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import type { Command } from 'commander';
import pc from 'picocolors';
import { readBaselineIfExists, type Baseline } from '../../compare/baseline.js';
import { writeTrialSet } from '../../compare/result-file.js';
import { sideAggregate } from '../../compare/rounds.js';
import { PairedRoundError } from '../../check/rounds.js';
import { givenBase, mirroredServices } from '../../check/base.js';
import {
  runCheck,
  type BaseSource,
  type CheckResult,
  type CheckSettings,
} from '../../check/check.js';
import { errorKind, EXIT_CODES, exitCodeOfVerdict } from '../../check/exit.js';
import { checkReportOf, renderCheckFiles, renderCheckTerminal } from '../../check/report.js';
import { stderrLogger, type Logger } from '../../engine/log.js';
import { runTrials } from '../../engine/run/run.js';
import type { RunOptions } from '../../engine/run/types.js';
import { spawnExec } from '../../services/exec.js';
import { startsTheSut, type ServiceSettings } from '../../services/registry.js';
import type { SettingKey } from '../../settings/declaration.js';
import { combinationProblem } from '../../settings/conflicts.js';
import { outputFileProblem } from '../../settings/paths.js';
import { listenProblem } from '../../engine/net.js';
import {
  baselineFileOf,
  nameOn,
  resolveRunSettings,
  resolveServices,
  SettingError,
  valueOf,
  type Given,
} from '../../settings/resolve.js';
import { redactUrls } from '../../shared/redact.js';
import { UserError } from '../errors.js';
import { stopOnSignals } from '../signals.js';
import { printRunSummary } from '../summary.js';
import { addConfigFlag, addSettingFlags, settingOption } from '../settings-flags.js';
import {
  addComparisonFlags,
  judgeSettingsFrom,
  processIo,
  readInput,
  writeReports,
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

/** The paired A/B flags of `run`, as declared in src/settings. */
export const PAIRED_FLAG_KEYS = [
  'compareTo',
  'rounds',
  'maxRounds',
  'prepare',
  'baseStart',
  'baseComposeFile',
  'baseDir',
] as const satisfies readonly SettingKey[];

export type RunFlags = Pick<Given, (typeof RUN_FLAG_KEYS)[number]>;
export type RunCommandFlags = RunFlags &
  ComparisonFlags &
  Pick<Given, 'baseline' | 'name' | (typeof PAIRED_FLAG_KEYS)[number]>;

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

export function runOptionsFrom(
  flags: RunFlags,
  logger: Logger,
  signal?: AbortSignal,
): RunOptions & { trials: number } {
  const settings = asUserError(() =>
    resolveRunSettings(flags, { surface: 'cli', env: process.env }),
  );
  return { ...settings, progress: flags.progress ?? 'auto', logger, ...(signal ? { signal } : {}) };
}

/** Checked before anything starts: a full run whose result cannot be written is lost. */
function checkOutputFile(file: string, flag: string, example?: string): void {
  const problem = outputFileProblem(file, example);
  if (problem) throw new UserError(`${flag} ${file}: ${problem}.`);
}

/**
 * How the base side runs, from --base-start / --base-compose-file / --base-dir: its own command
 * or compose files, or the head's from another tree; else why there is no base.
 */
export function baseFromFlags(flags: RunCommandFlags, cwd: string): BaseSource {
  if (flags.baseStart && flags.baseComposeFile?.length) {
    throw new UserError(
      '--base-start and --base-compose-file are both given; give one: the base runs as a command or with docker compose',
    );
  }
  const head = headServices(flags);
  if (!startsTheSut(head)) {
    return {
      available: false,
      why: 'this run does not start the SUT (no --start or --compose-file)',
    };
  }
  const baseCwd = flags.baseDir ? resolve(flags.baseDir) : cwd;
  if (flags.baseDir && !existsSync(baseCwd)) {
    throw new UserError(`--base-dir ${flags.baseDir}: no such directory`);
  }
  const prepareCommand = flags.prepare ?? null;
  const spec = (services: ServiceSettings) => ({ services, cwd: baseCwd, prepareCommand });
  if (flags.baseStart) {
    return givenBase(
      spec({ mode: 'command', command: flags.baseStart }),
      `the base started by --base-start \`${flags.baseStart}\``,
    );
  }
  if (flags.baseComposeFile?.length) {
    return givenBase(
      spec({ mode: 'compose', files: flags.baseComposeFile }),
      `the base run by --base-compose-file ${flags.baseComposeFile.join(', ')}`,
    );
  }
  if (flags.baseDir) {
    return givenBase(
      spec(mirroredServices(head, cwd, baseCwd)),
      `the base in --base-dir ${flags.baseDir}`,
    );
  }
  return {
    available: false,
    why: 'none of --base-start, --base-compose-file or --base-dir is given',
  };
}

const headServices = (flags: RunFlags): ServiceSettings =>
  asUserError(() => resolveServices(flags, 'cli'));

const SETTING_FLAGS = {
  composeFile: '--compose-file',
  readyTimeout: '--ready-timeout',
  startCommand: '--start',
  compareTo: '--compare-to',
} as const;

interface Planned {
  settings: CheckSettings;
  outPath: string;
  secrets: string[];
}

function plan(flags: RunCommandFlags, baseline: Baseline | null): Planned {
  const load = runOptionsFrom(flags, stderrLogger());
  const outPath =
    flags.out ??
    join('results', `${load.scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  checkOutputFile(outPath, flags.out ? '--out' : 'the default --out');
  if (flags.markdown) checkOutputFile(flags.markdown, '--markdown', 'report.md');
  const cwd = process.cwd();
  const { logger: _logger, signal: _signal, ...loadSettings } = load;
  const name =
    flags.name ??
    baseline?.name ??
    (flags.baseline ? basename(flags.baseline).replace(/\.json$/i, '') : load.scenario);
  const stem = outPath.replace(/\.json$/i, '');
  return {
    outPath,
    secrets: [load.redisUrl, load.databaseUrl],
    settings: {
      name,
      // --compare-to base asks for a base: without one it is refused (chooseReference), not
      // taken for a recording run that measures for nothing.
      mode:
        flags.baseline ||
        flags.baseStart ||
        flags.baseComposeFile?.length ||
        flags.baseDir ||
        valueOf(flags, 'compareTo', 'cli') === 'base'
          ? 'check'
          : 'record',
      compareTo: valueOf(flags, 'compareTo', 'cli')!,
      load: loadSettings,
      head: { services: headServices(flags), cwd, prepareCommand: flags.prepare ?? null },
      describeHead: `the head in ${cwd}`,
      base: baseFromFlags(flags, cwd),
      baseline,
      judge: judgeSettingsFrom(flags),
      logs: {
        single: flags.startLog ?? `${stem}.services.log`,
        base: `${stem}.base.services.log`,
        head: `${stem}.head.services.log`,
      },
      leaveServicesRunning: false,
    },
  };
}

/** The check with the CLI's side effects; an error leaves with its own exit code. */
async function check(planned: Planned, logger: Logger): Promise<CheckResult> {
  const abort = new AbortController();
  const signals = stopOnSignals(logger, abort);
  try {
    return await runCheck(planned.settings, {
      exec: spawnExec((text) => process.stderr.write(text)),
      log: logger,
      env: process.env,
      tempDir: tmpdir(),
      settingName: (setting) =>
        setting in SETTING_FLAGS ? SETTING_FLAGS[setting] : nameOn('cli', setting),
      prepareSettingName: '--prepare-command',
      warmupSettingName: '--warmup-events',
      save: () => undefined,
      runTrials: (options) => runTrials({ ...options, progress: options.progress ?? 'auto' }),
      signal: abort.signal,
    });
  } catch (error) {
    const interrupted = signals.interruption();
    if (interrupted) throw interrupted;
    let message = redactUrls(
      error instanceof Error ? error.message : String(error),
      planned.secrets,
    );
    // The rounds measured before a failed one are never thrown away.
    if (error instanceof PairedRoundError && error.measured.rounds.length > 0) {
      const rounds = error.measured.rounds.length;
      mkdirSync(dirname(planned.outPath), { recursive: true });
      await writeTrialSet(planned.outPath, sideAggregate(error.measured, 'head'));
      const basePath = planned.outPath.replace(/\.json$/i, '.base.json');
      await writeTrialSet(basePath, sideAggregate(error.measured, 'base'));
      message += `\nThe ${rounds} round(s) measured before it: ${planned.outPath} and ${basePath}.`;
    }
    const kind = errorKind(error);
    if (kind === 'internal') throw error;
    throw new UserError(message, EXIT_CODES[kind]);
  } finally {
    signals.dispose();
  }
}

/**
 * Everything that can be known wrong before anything starts: flags that cannot apply or
 * contradict each other (src/settings/conflicts.ts), a base tree that is not a directory (a raw
 * `spawn ENOTDIR` after the head started), a compose file that is not there, a receiver port already taken (EADDRINUSE after the
 * SUT started).
 */
async function checkBeforeStarting(flags: RunCommandFlags): Promise<void> {
  const problem = combinationProblem(flags, (key) => nameOn('cli', key));
  if (problem) throw new UserError(`${problem}.`);
  if (flags.baseDir && !statSync(flags.baseDir, { throwIfNoEntry: false })?.isDirectory()) {
    const exists = statSync(flags.baseDir, { throwIfNoEntry: false }) !== undefined;
    throw new UserError(
      `--base-dir ${flags.baseDir}: ${exists ? 'not a directory' : 'no such directory'}.`,
    );
  }
  // docker compose's own "Can't find a suitable configuration file" came after it ran, as a
  // failed SUT (75), with a `down -v` against the missing file.
  for (const file of flags.composeFile ?? []) {
    if (file === '-') continue;
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) {
      throw new UserError(`--compose-file ${file}: ${stat ? 'not a file' : 'no such file'}.`);
    }
  }
  if (flags.receiverPort !== undefined && flags.receiverPort !== 0) {
    const host = flags.receiverHost ?? (flags.composeFile?.length ? '0.0.0.0' : '127.0.0.1');
    const taken = await listenProblem(host, flags.receiverPort);
    if (taken) throw new UserError(`--receiver-port ${flags.receiverPort}: ${taken}.`);
  }
}

/** The run, then (with a reference) the verdict; returns the exit code (src/check/exit.ts). */
export async function runCommand(
  flags: RunCommandFlags,
  io: CommandIo,
  logger: Logger,
): Promise<number> {
  await checkBeforeStarting(flags);
  const baselineFile = flags.baseline ? baselineFileOf(flags.baseline) : undefined;
  const baseline = baselineFile ? await readInput(() => readBaselineIfExists(baselineFile)) : null;
  const planned = plan(flags, baseline);
  const result = await check(planned, logger);
  if (!flags.json) for (const trial of result.headResults) printRunSummary(trial, process.stderr);
  await writeResults(result, planned.outPath);
  logger.info(`${pc.dim('result written to')} ${planned.outPath}`);
  const report = checkReportOf(result, {});
  if (flags.markdown) {
    const files = renderCheckFiles(report, { history: baseline });
    await writeReports(flags.markdown, files.markdown, () => files.html);
  }
  io.stdout.write(
    flags.json
      ? `${JSON.stringify({ name: report.name, reference: result.choice, ...result.judgement }, null, 2)}\n`
      : renderCheckTerminal(report, { color: flags.color !== false && pc.isColorSupported }),
  );
  if (planned.settings.mode === 'record') {
    // Without a reference only correctness is judged, and it fails on its own.
    return result.judgement.outcome === 'regression' ? EXIT_CODES.regression : EXIT_CODES.pass;
  }
  return exitCodeOfVerdict(result.judgement.outcome, { failOnInconclusive: true });
}

/** One measured run as a RunResult; several (trials, or a side's rounds) as a trial set. */
async function writeResults(result: CheckResult, outPath: string): Promise<void> {
  mkdirSync(dirname(outPath), { recursive: true });
  if (result.headResults.length === 1) {
    writeFileSync(outPath, `${JSON.stringify(result.headResults[0], null, 2)}\n`);
  } else {
    await writeTrialSet(outPath, result.head);
  }
  if (result.paired)
    await writeTrialSet(outPath.replace(/\.json$/i, '.base.json'), result.paired.base);
}

export function registerRunCommand(program: Command, io: CommandIo = processIo): void {
  const command = addRunFlags(
    program
      .command('run')
      .description(
        'A measured load test of the SUT; with --baseline or a base (--base-dir, --base-start, --base-compose-file) the verdict too',
      ),
  )
    .addOption(
      settingOption('baseline', {
        help: 'Compare with this baseline (e.g. baselines/quick.json) when the base is not measured here',
        defaultText: null,
      }),
    )
    .addOption(settingOption('name'));
  addSettingFlags(command, PAIRED_FLAG_KEYS);
  addConfigFlag(addComparisonFlags(command)).action(async (flags: RunCommandFlags) => {
    io.setExitCode(await runCommand(flags, io, stderrLogger()));
  });
}
