import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { readBaselineIfExists, type Baseline } from '../../compare/baseline.js';
import { InputFileError } from '../../compare/errors.js';
import { readResultFile } from '../../compare/result-file.js';
import type { TrialAggregate } from '../../compare/trials.js';
import { exitCodeOfVerdict } from '../../check/exit.js';
import { judgeAggregate } from '../../check/judging.js';
import { renderCheckFiles, renderCheckTerminal } from '../../check/report.js';
import { htmlPathFor } from '../../report/html.js';
import type { CheckReport } from '../../report/check.js';
import { UserError } from '../errors.js';
import type { SettingKey } from '../../settings/declaration.js';
import {
  resolveJudgeSettings,
  SettingError,
  type Given,
  type JudgeSettings,
} from '../../settings/resolve.js';
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

/** The verdict's flags, shared by `compare`, `run` and `quickstart`, as declared in src/settings. */
export const COMPARISON_FLAG_KEYS = [
  'tolerance',
  'gate',
  'markdown',
  'json',
  'color',
] as const satisfies readonly SettingKey[];

export type ComparisonFlags = Pick<
  Given,
  (typeof COMPARISON_FLAG_KEYS)[number] | 'rounds' | 'maxRounds'
>;

export function addComparisonFlags(command: Command): Command {
  return addSettingFlags(command, COMPARISON_FLAG_KEYS);
}

export function judgeSettingsFrom(flags: ComparisonFlags): JudgeSettings {
  try {
    return resolveJudgeSettings(flags, 'cli');
  } catch (error) {
    if (error instanceof SettingError) throw new UserError(error.message);
    throw error;
  }
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

/** A result file judged against a baseline file, by the same judge as a check (src/judge). */
export async function compareCommand(
  resultPath: string,
  baselinePath: string,
  flags: CompareCommandFlags,
  io: CommandIo,
): Promise<{ report: CheckReport; exitCode: number }> {
  const current: TrialAggregate = await readInput(() => readResultFile(resultPath));
  const baseline: Baseline | null = await readInput(() => readBaselineIfExists(baselinePath));
  const name = flags.name ?? baseline?.name ?? basename(baselinePath).replace(/\.json$/i, '');
  const report: CheckReport = {
    name,
    judgement: judgeAggregate(current, baseline, judgeSettingsFrom(flags)),
    reference: baseline ? 'baseline' : 'none',
    why: baseline ? `the baseline file ${baselinePath}` : `${baselinePath} does not exist`,
    describeHead: `the result ${resultPath}`,
    head: current,
    paired: null,
    baseline,
    notes: [],
  };
  if (flags.markdown) {
    const files = renderCheckFiles(report, { history: baseline });
    await writeReports(flags.markdown, files.markdown, () => files.html);
  }
  io.stdout.write(
    flags.json
      ? `${JSON.stringify({ name, ...report.judgement }, null, 2)}\n`
      : renderCheckTerminal(report, { color: flags.color !== false && pc.isColorSupported }),
  );
  return {
    report,
    exitCode: exitCodeOfVerdict(report.judgement.outcome, { failOnInconclusive: true }),
  };
}

export function registerCompareCommand(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('compare')
    .description(
      'Judge a result (one run or a trial set) against a baseline and print the verdict. Exit 0 pass, 1 regression, 2 inconclusive.',
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
