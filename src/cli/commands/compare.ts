import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { readBaselineIfExists, type Baseline } from '../../compare/baseline.js';
import { InputFileError } from '../../compare/errors.js';
import { readResultFile } from '../../compare/result-file.js';
import type { TrialAggregate } from '../../compare/trials.js';
import { compare, exitCodeFor, type CompareOptions, type Verdict } from '../../compare/verdict.js';
import { htmlPathFor, renderHtml } from '../../report/html.js';
import { renderMarkdown } from '../../report/markdown.js';
import type { ReportContext } from '../../report/model.js';
import { renderTerminal } from '../../report/terminal.js';
import { UserError } from '../errors.js';
import type { SettingKey } from '../../settings/declaration.js';
import { resolveCompareOptions, SettingError, type Given } from '../../settings/resolve.js';
import { addSettingFlags } from '../settings-flags.js';

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

/** The comparison flags, shared by `compare` and `run --baseline`, as declared in src/settings. */
export const COMPARISON_FLAG_KEYS = [
  'tolerance',
  'noiseFloor',
  'gate',
  'ignoreEnvironment',
  'requireSameEnvironment',
  'history',
  'failOnInconclusive',
  'markdown',
  'json',
  'color',
] as const satisfies readonly SettingKey[];

export type ComparisonFlags = Pick<Given, (typeof COMPARISON_FLAG_KEYS)[number]>;

export function addComparisonFlags(command: Command): Command {
  return addSettingFlags(command, COMPARISON_FLAG_KEYS);
}

export function compareOptionsFrom(flags: ComparisonFlags, baselineName: string): CompareOptions {
  try {
    return { ...resolveCompareOptions(flags, 'cli'), baselineName };
  } catch (error) {
    if (error instanceof SettingError) throw new UserError(error.message);
    throw error;
  }
}

/** Prints the verdict (report or JSON), writes the markdown if asked, returns the exit code. */
export async function reportVerdict(
  verdict: Verdict,
  context: ReportContext,
  flags: Pick<ComparisonFlags, 'failOnInconclusive' | 'markdown' | 'json' | 'color'>,
  io: CommandIo,
): Promise<number> {
  if (flags.markdown) {
    await writeReports(flags.markdown, renderMarkdown(verdict, context), () =>
      renderHtml(verdict, context),
    );
  }
  io.stdout.write(
    flags.json
      ? `${JSON.stringify({ name: context.name, ...verdict }, null, 2)}\n`
      : renderTerminal(verdict, context, { color: flags.color !== false && pc.isColorSupported }),
  );
  return exitCodeFor(verdict, { failOnInconclusive: flags.failOnInconclusive === true });
}

/**
 * --markdown: the markdown report at the path given, and report.html beside it (report.md →
 * report.html), the same report as a page with its charts.
 */
export async function writeReports(
  markdownPath: string,
  markdown: string,
  html: () => string,
): Promise<void> {
  for (const [path, text] of [
    [markdownPath, markdown],
    [htmlPathFor(markdownPath), html()],
  ] as const) {
    try {
      await writeFile(path, text, 'utf8');
    } catch (error) {
      throw new UserError(
        `--markdown ${markdownPath}: cannot write ${path} (${(error as Error).message}).`,
      );
    }
  }
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
