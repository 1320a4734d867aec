import { systemGit, type Git } from './base-commit.js';

/**
 * A branch of its own that holds data files (the nightly baselines), written without review and
 * without touching the checkout: each write is a commit made with plumbing (hash-object, mktree,
 * commit-tree) on top of the branch's tip, pushed without force. When another job pushed first,
 * the push is refused; the write then starts again from the new tip, so no night is lost. This is
 * what github-action-benchmark does with gh-pages, and why a nightly history builds up by itself.
 */

export interface DataBranch {
  /** A clone (actions/checkout's is enough, shallow or not); any folder inside it. */
  repoDir: string;
  branch: string;
  /** The remote to read and push; actions/checkout leaves its credentials on origin. */
  remote?: string;
}

export class DataBranchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataBranchError';
  }
}

/** The author of the data commits (GitHub's own bot identity, as github-action-benchmark's). */
const AUTHOR = [
  '-c',
  'user.name=github-actions[bot]',
  '-c',
  'user.email=41898282+github-actions[bot]@users.noreply.github.com',
];

/** Pushes refused because the branch moved, as git words them (non-fast-forward, fetch first). */
const MOVED = /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref/i;

/** Attempts of a write before giving up: each one lost a race with another push. */
export const DEFAULT_ATTEMPTS = 5;

const failure = (what: string, stderr: string, exitCode: number): DataBranchError =>
  new DataBranchError(`${what}: ${stderr.trim() || `git exited ${exitCode}`}`);

/** The branch's tip on the remote, fetched (depth 1); null when the branch does not exist yet. */
async function fetchTip(git: Git, where: DataBranch): Promise<string | null> {
  const remote = where.remote ?? 'origin';
  const listed = await git.run(
    ['ls-remote', '--heads', remote, `refs/heads/${where.branch}`],
    where.repoDir,
  );
  if (listed.exitCode !== 0) {
    throw failure(`cannot read the branches of ${remote}`, listed.stderr, listed.exitCode);
  }
  const tip = listed.stdout.split(/\s/)[0]?.trim();
  if (!tip) return null;
  const fetched = await git.run(
    ['fetch', '--no-tags', '--depth=1', remote, `refs/heads/${where.branch}`],
    where.repoDir,
  );
  if (fetched.exitCode !== 0) {
    throw failure(`cannot fetch ${where.branch} from ${remote}`, fetched.stderr, fetched.exitCode);
  }
  return tip;
}

async function fileAt(
  git: Git,
  repoDir: string,
  commit: string,
  file: string,
): Promise<string | null> {
  const shown = await git.run(['cat-file', 'blob', `${commit}:${file}`], repoDir);
  return shown.exitCode === 0 ? shown.stdout : null;
}

/** A data file as the branch holds it on the remote; null when the branch or the file is missing. */
export async function readDataFile(
  where: DataBranch,
  file: string,
  git: Git = systemGit,
): Promise<string | null> {
  const tip = await fetchTip(git, where);
  return tip === null ? null : fileAt(git, where.repoDir, tip, file);
}

/** `tree` (null: none yet) with the blob at `parts`, the trees on the way rewritten. */
async function treeWith(
  git: Git,
  repoDir: string,
  tree: string | null,
  parts: readonly string[],
  blob: string,
): Promise<string> {
  const [name, ...rest] = parts as [string, ...string[]];
  let entries: string[] = [];
  if (tree !== null) {
    const listed = await git.run(['ls-tree', tree], repoDir);
    if (listed.exitCode !== 0) throw failure(`cannot list ${tree}`, listed.stderr, listed.exitCode);
    entries = listed.stdout.split('\n').filter(Boolean);
  }
  const others = entries.filter((entry) => entry.split('\t')[1] !== name);
  let entry: string;
  if (rest.length === 0) {
    entry = `100644 blob ${blob}\t${name}`;
  } else {
    const current = entries.find((line) => line.split('\t')[1] === name && line.includes(' tree '));
    const subtree = current ? current.split(/\s/)[2]! : null;
    entry = `040000 tree ${await treeWith(git, repoDir, subtree, rest, blob)}\t${name}`;
  }
  const made = await git.run(['mktree'], repoDir, `${[...others, entry].join('\n')}\n`);
  if (made.exitCode !== 0) throw failure('cannot write a tree', made.stderr, made.exitCode);
  return made.stdout.trim();
}

export interface WriteOptions {
  /** The commit message. */
  message: string;
  /** Attempts before giving up when other pushes keep winning the race (default 5). */
  attempts?: number;
  git?: Git;
}

export interface Written {
  /** The commit pushed. */
  commit: string;
  /** The text written (update's answer on the attempt that was pushed). */
  text: string;
  /** 1 when the first push went through; more when another push came first. */
  attempts: number;
}

/**
 * Sets `file` on the branch to `update(its current text, or null)` in one commit on top of the
 * remote tip, and pushes it; the branch is created by the first write. A push refused because the
 * branch moved starts again from the new tip (fetch, update, push), up to `attempts` times: the
 * update must be a function of the current text (append a night), never a text computed once.
 */
export async function writeDataFile(
  where: DataBranch,
  file: string,
  update: (previous: string | null) => string | Promise<string>,
  { message, attempts = DEFAULT_ATTEMPTS, git = systemGit }: WriteOptions,
): Promise<Written> {
  const remote = where.remote ?? 'origin';
  const { repoDir } = where;
  let refused = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const tip = await fetchTip(git, where);
    const text = await update(tip === null ? null : await fileAt(git, repoDir, tip, file));
    const blob = await git.run(['hash-object', '-w', '--stdin'], repoDir, text);
    if (blob.exitCode !== 0) throw failure('cannot store the file', blob.stderr, blob.exitCode);
    const tree = await treeWith(
      git,
      repoDir,
      tip === null ? null : `${tip}^{tree}`,
      file.split('/'),
      blob.stdout.trim(),
    );
    const parents = tip === null ? [] : ['-p', tip];
    const made = await git.run(
      [...AUTHOR, 'commit-tree', tree, ...parents, '-m', message],
      repoDir,
    );
    if (made.exitCode !== 0) throw failure('cannot commit', made.stderr, made.exitCode);
    const commit = made.stdout.trim();
    const pushed = await git.run(
      ['push', '--quiet', remote, `${commit}:refs/heads/${where.branch}`],
      repoDir,
    );
    if (pushed.exitCode === 0) return { commit, text, attempts: attempt };
    if (!MOVED.test(pushed.stderr)) {
      throw failure(
        `cannot push ${where.branch} to ${remote} (the job needs \`permissions: contents: write\`)`,
        pushed.stderr,
        pushed.exitCode,
      );
    }
    refused = pushed.stderr.trim();
  }
  throw new DataBranchError(
    `gave up writing ${file} to ${where.branch} after ${attempts} attempts: each time another push came first (${refused})`,
  );
}
