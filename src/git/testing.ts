/**
 * Git fixtures for tests: a real repository as a pull request sees it. Imported by tests only; the
 * entry points never reach this module, so it is not in the bundle.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Runs git in `cwd` with a fixed identity (none is configured on CI machines); its stdout, trimmed. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  }).trim();
}

/** Files by path relative to the tree, and their content. */
export type Files = Record<string, string>;

/** Writes `files` into `dir`, commits them all, returns the new commit's SHA. */
export function commitFiles(dir: string, files: Files, message: string): string {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  git(dir, 'add', '--all');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

export interface PullRequestRepo {
  /** `file://` URL of the bare origin. */
  originUrl: string;
  shas: {
    /** The commit the branch was cut from. */
    base: string;
    /** The pull request's head (the branch). */
    head: string;
    /** What landed on main after the branch was cut, when asked for; main's tip then. */
    landed: string | null;
    /** GitHub's merge commit, refs/pull/<number>/merge: first parent main's tip, second the head. */
    merge: string;
  };
}

/**
 * A bare origin under `root` holding main (`base`, then `landed` when given), a `feature` branch
 * (`base`, then `head`) and the merge commit GitHub makes for pull request `number`
 * (refs/pull/<number>/merge, whose first parent is main's tip).
 */
export function pullRequestRepo(
  root: string,
  commits: { base: Files; head: Files; landed?: Files; number: number },
): PullRequestRepo {
  const origin = join(root, 'origin.git');
  git(root, 'init', '-q', '--bare', origin);
  const originUrl = `file://${origin}`;
  const work = join(root, 'work');
  git(root, 'init', '-q', '-b', 'main', work);
  const base = commitFiles(work, commits.base, 'base');
  git(work, 'checkout', '-q', '-b', 'feature');
  const head = commitFiles(work, commits.head, 'head');
  git(work, 'checkout', '-q', 'main');
  const landed = commits.landed ? commitFiles(work, commits.landed, 'landed on main') : null;
  git(work, 'merge', '-q', '--no-ff', '-m', 'Merge feature into main', 'feature');
  const merge = git(work, 'rev-parse', 'HEAD');
  git(
    work,
    'push',
    '-q',
    originUrl,
    `${landed ?? base}:refs/heads/main`,
    `${head}:refs/heads/feature`,
  );
  git(work, 'push', '-q', originUrl, `${merge}:refs/pull/${commits.number}/merge`);
  return { originUrl, shas: { base, head, landed, merge } };
}

/** A fresh depth-1 clone of `ref` in a new folder under `parent`, detached, as actions/checkout leaves it. */
export function shallowCheckout(parent: string, originUrl: string, ref: string): string {
  const dir = mkdtempSync(join(parent, 'checkout-'));
  git(dir, 'init', '-q');
  git(dir, 'remote', 'add', 'origin', originUrl);
  git(dir, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', ref);
  git(dir, 'checkout', '-q', '--detach', 'FETCH_HEAD');
  return dir;
}
