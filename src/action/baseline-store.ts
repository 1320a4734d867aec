import {
  parseBaseline,
  readBaselineIfExists,
  writeBaseline,
  type Baseline,
} from '../compare/baseline.js';
import { InputFileError } from '../compare/errors.js';
import { systemGit, type Git } from '../git/base-commit.js';
import {
  DataBranchError,
  readDataFile,
  writeDataFile,
  type DataBranch,
} from '../git/data-branch.js';
import type { BaselineConfig } from './inputs.js';

/**
 * Where the baseline lives (setting baseline-store). branch, the default: every night is a commit
 * on a data branch of its own (baselines/<name>.json there), pushed without anyone merging, and a
 * check reads it from there, falling back to the committed file while the branch has none. file:
 * the file in the workspace only (commit it yourself, e.g. by a reviewed pull request).
 */

/** The baseline's path on the data branch. */
export const dataPathOf = (baseline: BaselineConfig): string => `baselines/${baseline.name}.json`;

const dataBranchOf = (baseline: BaselineConfig, repoDir: string): DataBranch => ({
  repoDir,
  branch: baseline.dataBranch,
});

function parsed(text: string, where: string): Baseline {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputFileError(
      where,
      'corrupt',
      `${where} is not valid JSON (${(error as Error).message}); it cannot be read as a baseline.`,
    );
  }
  return parseBaseline(document, where);
}

/** Whether `dir` is inside a git clone with the remote origin (else there is no branch to use). */
async function hasOrigin(dir: string, git: Git): Promise<boolean> {
  const remote = await git.run(['remote', 'get-url', 'origin'], dir).catch(() => null);
  return remote?.exitCode === 0;
}

export interface Loaded {
  baseline: Baseline | null;
  /** Where it came from, for the log: `load-test-data:baselines/quick.json` or the file's path. */
  from: string;
  /** Why the data branch could not be read (the file was used instead), for a warning; else null. */
  branchProblem: string | null;
}

/**
 * The baseline to compare with: from the data branch when the store is branch and the branch has
 * it, else the file in the workspace (null when neither has one). A corrupt one is an error.
 */
export async function loadBaseline(
  baseline: BaselineConfig,
  repoDir: string,
  git: Git = systemGit,
): Promise<Loaded> {
  let branchProblem: string | null = null;
  if (baseline.store === 'branch' && (await hasOrigin(repoDir, git))) {
    const from = `${baseline.dataBranch}:${dataPathOf(baseline)}`;
    try {
      const text = await readDataFile(dataBranchOf(baseline, repoDir), dataPathOf(baseline), git);
      if (text !== null) return { baseline: parsed(text, from), from, branchProblem };
    } catch (error) {
      // A checkout without credentials (persist-credentials: false) still has the committed file.
      if (!(error instanceof DataBranchError)) throw error;
      branchProblem = `cannot read ${from}: ${error.message}`;
    }
  }
  return {
    baseline: await readBaselineIfExists(baseline.path),
    from: baseline.displayPath,
    branchProblem,
  };
}

export interface Saved {
  written: Baseline;
  /** Where it went: the data branch's commit, or only the file. */
  where: string;
}

/**
 * Mode baseline: `refresh` (the previous baseline → the new one) applied to the stored baseline
 * and written back: a commit on the data branch (again on top of a concurrent push), and the
 * file in the workspace either way, for the baseline-path output and later steps. Outside a git
 * clone with an origin, the file only.
 */
export async function saveBaseline(
  baseline: BaselineConfig,
  repoDir: string,
  refresh: (previous: Baseline | null) => Baseline,
  { message, git = systemGit }: { message: string; git?: Git },
): Promise<Saved> {
  if (baseline.store === 'branch' && (await hasOrigin(repoDir, git))) {
    const committed = await readBaselineIfExists(baseline.path);
    const from = `${baseline.dataBranch}:${dataPathOf(baseline)}`;
    let written = null as Baseline | null;
    const pushed = await writeDataFile(
      dataBranchOf(baseline, repoDir),
      dataPathOf(baseline),
      (previous) => {
        // The branch's first night continues the committed file's history.
        written = refresh(previous === null ? committed : parsed(previous, from));
        return `${JSON.stringify(written, null, 2)}\n`;
      },
      { message, git },
    );
    await writeBaseline(baseline.path, written!);
    const retried =
      pushed.attempts > 1 ? ` (after ${pushed.attempts - 1} concurrent push(es))` : '';
    return { written: written!, where: `${from} at ${pushed.commit.slice(0, 7)}${retried}` };
  }
  const written = refresh(await readBaselineIfExists(baseline.path));
  await writeBaseline(baseline.path, written);
  return { written, where: baseline.displayPath };
}
