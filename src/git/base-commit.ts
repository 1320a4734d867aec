import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The commit to compare against when the base is measured on the same runner: found, fetched
 * when the clone is shallow, and checked out as a separate git worktree, so the base runs from
 * its own tree while the head's checkout stays untouched.
 */

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `git <args>` in `cwd`, `input` on its stdin when given; resolves with the exit code, never
 * throws for a non-zero one.
 */
export interface Git {
  run(args: readonly string[], cwd: string, input?: string): Promise<GitResult>;
}

export const systemGit: Git = {
  run: (args, cwd, input) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        [...args],
        { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') {
            reject(new BaseCommitError(`cannot run git in ${cwd}: ${error.message}`));
            return;
          }
          resolve({ exitCode: error ? (error.code as number) : 0, stdout, stderr });
        },
      );
      // A git that exits without reading its stdin closes the pipe; its exit code says what happened.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    }),
};

export class BaseCommitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaseCommitError';
  }
}

export interface BaseCommitRequest {
  /** The head's checkout. */
  repoDir: string;
  /** GITHUB_EVENT_NAME, or '' outside a runner. */
  eventName: string;
  /** The `base-ref` input / `--base-ref` flag: a commit SHA or a branch; null when not given. */
  baseRef: string | null;
  /** Names the setting in messages, as the user wrote it (`base-ref` or `--base-ref`). */
  baseRefName: string;
}

export interface BaseCommit {
  sha: string;
  /** How it was chosen, for the report: "first parent of the merge commit 1a2b3c4". */
  why: string;
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
const FULL_SHA = /^[0-9a-f]{40}$/i;
const ABBREVIATED_SHA = /^[0-9a-f]{7,39}$/i;

const short = (sha: string): string => sha.slice(0, 7);

/** The commit object's own parent lines: present even in a shallow clone, where HEAD^1 is not. */
async function parentsOf(runner: Git, repoDir: string, revision: string): Promise<string[]> {
  const result = await runner.run(['cat-file', 'commit', revision], repoDir);
  if (result.exitCode !== 0) {
    throw new BaseCommitError(
      `cannot read commit ${revision} in ${repoDir}: ${result.stderr.trim() || `git exited ${result.exitCode}`}`,
    );
  }
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('parent '))
    .map((line) => line.slice('parent '.length).trim());
}

async function hasCommit(runner: Git, repoDir: string, revision: string): Promise<string | null> {
  const result = await runner.run(
    ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`],
    repoDir,
  );
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** Fetches one commit or branch with depth 1 (the credentials actions/checkout left apply). */
async function fetchOne(
  runner: Git,
  repoDir: string,
  what: string,
  describe: string,
): Promise<void> {
  const result = await runner.run(['fetch', '--no-tags', '--depth=1', 'origin', what], repoDir);
  if (result.exitCode !== 0) {
    throw new BaseCommitError(
      `the base commit ${describe} is not in the clone, and \`git fetch --depth=1 origin ${what}\` failed: ${result.stderr.trim() || `git exited ${result.exitCode}`}`,
    );
  }
}

/**
 * Why there is no base commit to measure, or null when there is one to look for (base-ref is
 * set, or this is a pull request whose merge commit is checked out). Cheap and never fetches:
 * `compare-to: auto` asks it before deciding, and falls back to the baseline with this reason.
 */
export async function missingBaseReason(
  request: BaseCommitRequest,
  runner: Git = systemGit,
): Promise<string | null> {
  if (request.baseRef?.trim()) return null;
  if (!PULL_REQUEST_EVENTS.has(request.eventName)) {
    return `not a pull request (${request.eventName || 'no event'}) and ${request.baseRefName} is not set`;
  }
  const head = await runner
    .run(['cat-file', 'commit', 'HEAD'], request.repoDir)
    .catch(() => ({ exitCode: 1, stdout: '', stderr: '' }));
  if (head.exitCode !== 0) return `${request.repoDir} is not a git checkout`;
  const parents = head.stdout.split('\n').filter((line) => line.startsWith('parent ')).length;
  return parents < 2
    ? `HEAD is not the merge commit actions/checkout makes for a pull request, and ${request.baseRefName} is not set`
    : null;
}

/**
 * Finds the base commit and makes sure it is in the clone. A commit that cannot be found or
 * fetched is an error naming it: silently comparing against something else would be worse.
 */
export async function resolveBaseCommit(
  request: BaseCommitRequest,
  runner: Git = systemGit,
): Promise<BaseCommit> {
  const { repoDir } = request;
  const baseRef = request.baseRef?.trim() || null;
  if (baseRef) return resolveBaseRef(runner, repoDir, baseRef, request.baseRefName);
  if (!PULL_REQUEST_EVENTS.has(request.eventName)) {
    throw new BaseCommitError(
      `no base commit: ${request.baseRefName} is not set, and this is not a pull_request event (${request.eventName || 'no event'}). Set ${request.baseRefName} to a commit SHA or a branch.`,
    );
  }
  const head = await hasCommit(runner, repoDir, 'HEAD');
  if (!head) throw new BaseCommitError(`no commit checked out in ${repoDir}`);
  const parents = await parentsOf(runner, repoDir, head);
  if (parents.length < 2) {
    throw new BaseCommitError(
      `no base commit: HEAD ${short(head)} is not the merge commit actions/checkout makes for a pull request (it has ${parents.length} parent${parents.length === 1 ? '' : 's'}); check out the default ref, or set ${request.baseRefName}.`,
    );
  }
  const sha = parents[0] as string;
  const why = `first parent of the merge commit ${short(head)}`;
  if (!(await hasCommit(runner, repoDir, sha))) {
    await fetchOne(runner, repoDir, sha, `${sha} (${why})`);
    if (!(await hasCommit(runner, repoDir, sha))) {
      throw new BaseCommitError(
        `the base commit ${sha} (${why}) is still missing after fetching it`,
      );
    }
  }
  return { sha, why };
}

async function resolveBaseRef(
  runner: Git,
  repoDir: string,
  baseRef: string,
  inputName: string,
): Promise<BaseCommit> {
  const why = `${inputName}: ${baseRef}`;
  const local =
    (FULL_SHA.test(baseRef) || ABBREVIATED_SHA.test(baseRef)
      ? await hasCommit(runner, repoDir, baseRef)
      : null) ?? (await hasCommit(runner, repoDir, `refs/remotes/origin/${baseRef}`));
  if (local) return { sha: local, why };
  if (ABBREVIATED_SHA.test(baseRef) && !FULL_SHA.test(baseRef)) {
    throw new BaseCommitError(
      `${inputName} "${baseRef}": no such commit in the clone, and an abbreviated SHA cannot be fetched; give the full 40-character SHA or a branch name.`,
    );
  }
  await fetchOne(runner, repoDir, baseRef, `"${baseRef}" (${inputName})`);
  const fetched = await hasCommit(runner, repoDir, FULL_SHA.test(baseRef) ? baseRef : 'FETCH_HEAD');
  if (!fetched) {
    throw new BaseCommitError(`${inputName} "${baseRef}": still missing after fetching it`);
  }
  return { sha: fetched, why };
}

export interface BaseWorktree {
  /** The base commit's files, checked out on their own. */
  dir: string;
  sha: string;
}

/** Checks the base commit out as a detached git worktree in a new folder under `parentDir`. */
export async function addBaseWorktree(
  repoDir: string,
  sha: string,
  parentDir: string,
  runner: Git = systemGit,
): Promise<BaseWorktree> {
  const dir = await mkdtemp(join(parentDir, `ethhook-load-test-base-${short(sha)}-`));
  const result = await runner.run(['worktree', 'add', '--detach', dir, sha], repoDir);
  if (result.exitCode !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new BaseCommitError(
      `cannot check out the base commit ${sha} into ${dir}: ${result.stderr.trim() || `git exited ${result.exitCode}`}`,
    );
  }
  return { dir, sha };
}

/**
 * Removes the worktree and its folder; safe to call twice and after a half-finished add, which is
 * what a post step after a cancelled run sees. Returns what went wrong, for a warning.
 */
export async function removeBaseWorktree(
  repoDir: string,
  dir: string,
  runner: Git = systemGit,
): Promise<string | null> {
  const removed = await runner.run(['worktree', 'remove', '--force', dir], repoDir);
  // A folder git no longer knows (or never knew) is still ours to delete.
  await rm(dir, { recursive: true, force: true });
  const pruned = await runner.run(['worktree', 'prune'], repoDir);
  if (pruned.exitCode !== 0) return `git worktree prune failed: ${pruned.stderr.trim()}`;
  if (removed.exitCode !== 0 && !/is not a working tree|not a working tree/.test(removed.stderr)) {
    return `git worktree remove ${dir} failed: ${removed.stderr.trim()}`;
  }
  return null;
}
