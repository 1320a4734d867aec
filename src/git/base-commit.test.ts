import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addBaseWorktree,
  missingBaseReason,
  removeBaseWorktree,
  resolveBaseCommit,
  systemGit,
  type Git,
} from './base-commit.js';
import { git, pullRequestRepo, shallowCheckout as checkoutOf } from './testing.js';

/**
 * A real repository as a pull request sees it: a bare "origin" holding main (A then C), a
 * feature branch (A then B) and the merge commit GitHub makes (refs/pull/1/merge, first parent
 * C), and a depth-1 clone of that merge commit, as actions/checkout leaves it.
 */
let root: string;
let originUrl: string;
let shas: { a: string; b: string; c: string; merge: string };

const shallowCheckout = (ref: string): string => checkoutOf(root, originUrl, ref);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'base-commit-'));
  const repo = pullRequestRepo(root, {
    base: { 'setting.txt': 'delay=0' },
    head: { 'setting.txt': 'delay=10' },
    landed: { 'other.txt': 'landed on main after the branch was cut' },
    number: 1,
  });
  originUrl = repo.originUrl;
  const { base, head, landed, merge } = repo.shas;
  shas = { a: base, b: head, c: landed!, merge };
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveBaseCommit', () => {
  it('takes the first parent of the merge commit, fetching it into a shallow clone', async () => {
    const checkout = shallowCheckout('refs/pull/1/merge');
    expect(git(checkout, 'rev-parse', 'HEAD')).toBe(shas.merge);
    expect(() => git(checkout, 'cat-file', '-e', `${shas.c}^{commit}`)).toThrow();

    const base = await resolveBaseCommit({
      repoDir: checkout,
      eventName: 'pull_request',
      baseRef: null,
      baseRefName: 'base-ref',
    });
    expect(base).toEqual({
      sha: shas.c,
      why: `first parent of the merge commit ${shas.merge.slice(0, 7)}`,
    });
    expect(git(checkout, 'cat-file', '-t', shas.c)).toBe('commit');
  });

  it('takes base-ref as a branch or a full SHA, fetching either', async () => {
    const branch = await resolveBaseCommit({
      repoDir: shallowCheckout('refs/heads/feature'),
      eventName: 'push',
      baseRef: 'main',
      baseRefName: 'base-ref',
    });
    expect(branch).toEqual({ sha: shas.c, why: 'base-ref: main' });

    const bySha = await resolveBaseCommit({
      repoDir: shallowCheckout('refs/heads/feature'),
      eventName: 'push',
      baseRef: shas.a,
      baseRefName: '--base-ref',
    });
    expect(bySha).toEqual({ sha: shas.a, why: `--base-ref: ${shas.a}` });
  });

  it('names the commit when it cannot be fetched', async () => {
    const missing = 'f'.repeat(40);
    await expect(
      resolveBaseCommit({
        repoDir: shallowCheckout('refs/heads/feature'),
        eventName: 'push',
        baseRef: missing,
        baseRefName: 'base-ref',
      }),
    ).rejects.toThrow(
      new RegExp(
        `base commit "${missing}" \\(base-ref\\) is not in the clone, and \`git fetch --depth=1 origin ${missing}\` failed`,
      ),
    );
    await expect(
      resolveBaseCommit({
        repoDir: shallowCheckout('refs/heads/feature'),
        eventName: 'push',
        baseRef: 'no-such-branch',
        baseRefName: 'base-ref',
      }),
    ).rejects.toThrow(/"no-such-branch" \(base-ref\) is not in the clone/);
  });

  it('says what to set when there is neither a pull request nor base-ref', async () => {
    const checkout = shallowCheckout('refs/heads/feature');
    await expect(
      resolveBaseCommit({
        repoDir: checkout,
        eventName: 'push',
        baseRef: null,
        baseRefName: 'base-ref',
      }),
    ).rejects.toThrow(/base-ref is not set, and this is not a pull_request event \(push\)/);
    // A pull request whose checkout is not the merge commit (ref: head sha) has no first parent to take.
    await expect(
      resolveBaseCommit({
        repoDir: checkout,
        eventName: 'pull_request',
        baseRef: '',
        baseRefName: 'base-ref',
      }),
    ).rejects.toThrow(/is not the merge commit .* \(it has 1 parent\); .* set base-ref/);
  });

  it('refuses an abbreviated SHA that is not in the clone', async () => {
    await expect(
      resolveBaseCommit({
        repoDir: shallowCheckout('refs/heads/feature'),
        eventName: 'push',
        baseRef: shas.a.slice(0, 10),
        baseRefName: 'base-ref',
      }),
    ).rejects.toThrow(/abbreviated SHA cannot be fetched/);
  });

  it('reports a git that cannot start as an error naming the folder', async () => {
    const broken: Git = { run: (args, cwd) => systemGit.run(args, join(cwd, 'does-not-exist')) };
    await expect(
      resolveBaseCommit(
        { repoDir: root, eventName: 'pull_request', baseRef: null, baseRefName: 'base-ref' },
        broken,
      ),
    ).rejects.toThrow(/cannot run git in .*does-not-exist/);
  });
});

describe('missingBaseReason', () => {
  const request = (repoDir: string, eventName: string, baseRef: string | null = null) => ({
    repoDir,
    eventName,
    baseRef,
    baseRefName: 'base-ref',
  });

  it('finds a base to look for on a pull request merge commit or with base-ref', async () => {
    expect(
      await missingBaseReason(request(shallowCheckout('refs/pull/1/merge'), 'pull_request')),
    ).toBeNull();
    expect(await missingBaseReason(request(root, 'push', 'main'))).toBeNull();
  });

  it('says why there is none, without fetching anything', async () => {
    expect(await missingBaseReason(request(root, 'push'))).toBe(
      'not a pull request (push) and base-ref is not set',
    );
    expect(await missingBaseReason(request(root, 'pull_request'))).toBe(
      `${root} is not a git checkout`,
    );
    expect(
      await missingBaseReason(request(shallowCheckout('refs/heads/feature'), 'pull_request')),
    ).toBe(
      'HEAD is not the merge commit actions/checkout makes for a pull request, and base-ref is not set',
    );
  });
});

describe('base worktree', () => {
  it('checks the base out on its own and removes it without a trace', async () => {
    const checkout = shallowCheckout('refs/pull/1/merge');
    const base = await resolveBaseCommit({
      repoDir: checkout,
      eventName: 'pull_request',
      baseRef: null,
      baseRefName: 'base-ref',
    });
    const parent = mkdtempSync(join(root, 'runner-temp-'));
    const worktree = await addBaseWorktree(checkout, base.sha, parent);
    expect(worktree.dir.startsWith(parent)).toBe(true);
    expect(readFileSync(join(worktree.dir, 'setting.txt'), 'utf8')).toBe('delay=0');
    expect(readFileSync(join(checkout, 'setting.txt'), 'utf8')).toBe('delay=10');
    expect(git(worktree.dir, 'rev-parse', 'HEAD')).toBe(shas.c);

    expect(await removeBaseWorktree(checkout, worktree.dir)).toBeNull();
    expect(existsSync(worktree.dir)).toBe(false);
    expect(git(checkout, 'worktree', 'list', '--porcelain')).not.toContain(worktree.dir);
    // The post step may run it again (e.g. after a retry): still fine.
    expect(await removeBaseWorktree(checkout, worktree.dir)).toBeNull();
  });

  it('names the commit when the checkout fails, and leaves no folder behind', async () => {
    const checkout = shallowCheckout('refs/heads/feature');
    const parent = mkdtempSync(join(root, 'runner-temp-'));
    const missing = 'e'.repeat(40);
    await expect(addBaseWorktree(checkout, missing, parent)).rejects.toThrow(
      new RegExp(`cannot check out the base commit ${missing}`),
    );
    expect(execFileSync('ls', [parent], { encoding: 'utf8' })).toBe('');
  });
});
