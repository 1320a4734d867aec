import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import pc from 'picocolors';
import { readBaselineIfExists, type Baseline } from '../../compare/baseline.js';
import { InputFileError } from '../../compare/errors.js';
import {
  DEFAULT_GATED_METRICS,
  InvalidMetricOptionError,
  parseMetricList,
  parseNoiseFloors,
  type MetricId,
} from '../../compare/metrics.js';
import { readResultFile } from '../../compare/result-file.js';
import {
  DEFAULT_TOLERANCE,
  InvalidToleranceError,
  parseTolerance,
} from '../../compare/tolerance.js';
import type { TrialAggregate } from '../../compare/trials.js';
import {
  compare,
  exitCodeFor,
  type CompareOptions,
  type EnvironmentCheck,
  type Verdict,
} from '../../compare/verdict.js';
import { renderMarkdown } from '../../report/markdown.js';
import type { ReportContext } from '../../report/model.js';
import { renderTerminal } from '../../report/terminal.js';
import { UserError } from '../errors.js';

/** Where a command writes and how it ends; tests pass their own. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  setExitCode(code: number): void;
}

export const processIo: CommandIo = {
  stdout: process.stdout,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** The comparison flags, shared by `compare` and `run --baseline`. */
export interface ComparisonFlags {
  tolerance: number;
  noiseFloor?: Partial<Record<MetricId, number>>;
  gate?: MetricId[];
  /** commander's `--ignore-environment`. */
  ignoreEnvironment: boolean;
  /** `--require-same-environment`: the exact CPU model too, not just the family and speed. */
  requireSameEnvironment: boolean;
  /** false with `--no-history`. */
  history: boolean;
  failOnInconclusive: boolean;
  markdown?: string;
  json: boolean;
  /** false with `--no-color`. */
  color: boolean;
}

function asArgumentError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidToleranceError || error instanceof InvalidMetricOptionError) {
      throw new InvalidArgumentError(error.message);
    }
    throw error;
  }
}

export function addComparisonFlags(command: Command): Command {
  return command
    .option(
      '--tolerance <ratio>',
      'how much worse than the baseline a gated metric may get: 1.5, 1.5x or 150%',
      (raw: string) => asArgumentError(() => parseTolerance(raw, '--tolerance')),
      DEFAULT_TOLERANCE,
    )
    .option(
      '--noise-floor <pairs>',
      'absolute change a metric must also exceed, in its unit, e.g. p50=5,p95=10 (ms)',
      (raw: string) => asArgumentError(() => parseNoiseFloors(raw, '--noise-floor')),
    )
    .option(
      '--gate <metrics>',
      `performance metrics that decide the verdict (default ${DEFAULT_GATED_METRICS.join(',')}); loss and signatures always do`,
      (raw: string) => asArgumentError(() => parseMetricList(raw, '--gate')),
    )
    .option(
      '--ignore-environment',
      "compare even when the runner is not comparable with the baseline's",
      false,
    )
    .option(
      '--require-same-environment',
      'compare only with a baseline of the same CPU model (default: the same CPU family and a speed probe within 1.25x)',
      false,
    )
    .option('--no-history', "do not add the baseline's nightly noise to the limits")
    .option(
      '--fail-on-inconclusive',
      'exit 2 when the verdict is inconclusive (default: exit 0)',
      false,
    )
    .option(
      '--markdown <file>',
      'also write the markdown report (PR comment / job summary) to a file',
    )
    .option('--json', 'print the verdict as JSON instead of the report', false)
    .option('--no-color', 'plain text, no colours');
}

function environmentCheckFrom(
  flags: Pick<ComparisonFlags, 'ignoreEnvironment' | 'requireSameEnvironment'>,
): EnvironmentCheck {
  if (flags.ignoreEnvironment && flags.requireSameEnvironment) {
    throw new UserError(
      '--ignore-environment and --require-same-environment contradict each other: pass one of them.',
    );
  }
  if (flags.ignoreEnvironment) return 'ignore';
  return flags.requireSameEnvironment ? 'same' : 'comparable';
}

export function compareOptionsFrom(flags: ComparisonFlags, baselineName: string): CompareOptions {
  return {
    tolerance: flags.tolerance,
    noiseFloors: flags.noiseFloor,
    gatedMetrics: flags.gate,
    environment: environmentCheckFrom(flags),
    useHistory: flags.history,
    baselineName,
  };
}

/** Prints the verdict (report or JSON), writes the markdown if asked, returns the exit code. */
export async function reportVerdict(
  verdict: Verdict,
  context: ReportContext,
  flags: Pick<ComparisonFlags, 'failOnInconclusive' | 'markdown' | 'json' | 'color'>,
  io: CommandIo,
): Promise<number> {
  if (flags.markdown) {
    try {
      await writeFile(flags.markdown, renderMarkdown(verdict, context), 'utf8');
    } catch (error) {
      throw new UserError(
        `--markdown ${flags.markdown}: cannot write it (${(error as Error).message}).`,
      );
    }
  }
  io.stdout.write(
    flags.json
      ? `${JSON.stringify({ name: context.name, ...verdict }, null, 2)}\n`
      : renderTerminal(verdict, context, { color: flags.color && pc.isColorSupported }),
  );
  return exitCodeFor(verdict, { failOnInconclusive: flags.failOnInconclusive });
}

/** Input file errors are the user's to fix: one line, no stack. */
export async function readInput<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InputFileError) throw new UserError(error.message);
    throw error;
  }
}

export interface CompareCommandFlags extends ComparisonFlags {
  name?: string;
}

export async function compareCommand(
  resultPath: string,
  baselinePath: string,
  flags: CompareCommandFlags,
  io: CommandIo,
): Promise<{ verdict: Verdict; exitCode: number }> {
  const current: TrialAggregate = await readInput(() => readResultFile(resultPath));
  const baseline: Baseline | null = await readInput(() => readBaselineIfExists(baselinePath));
  const name = flags.name ?? baseline?.name ?? basename(baselinePath).replace(/\.json$/i, '');
  let verdict: Verdict;
  try {
    verdict = compare(current, baseline, compareOptionsFrom(flags, name));
  } catch (error) {
    if (error instanceof RangeError) throw new UserError(error.message);
    throw error;
  }
  const exitCode = await reportVerdict(verdict, { name, current, baseline }, flags, io);
  return { verdict, exitCode };
}

export function registerCompareCommand(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('compare')
    .description(
      'Compare a result (one run or a trial set) with a baseline and print the verdict. Exit 0 pass, 1 regression, 2 inconclusive with --fail-on-inconclusive.',
    )
    .argument('<result.json>', 'result file written by `run` (--trials N writes a trial set)')
    .argument(
      '<baseline.json>',
      'baseline file, e.g. baselines/steady.json (missing: inconclusive)',
    )
    .option(
      '--name <name>',
      "name in the report and the PR comment's marker (default: the baseline's)",
    );
  addComparisonFlags(command).action(
    async (resultPath: string, baselinePath: string, flags: CompareCommandFlags) => {
      const { exitCode } = await compareCommand(resultPath, baselinePath, flags, io);
      io.setExitCode(exitCode);
    },
  );
}
