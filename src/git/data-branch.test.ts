import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemGit, type Git } from './base-commit.js';
import { DataBranchError, readDataFile, writeDataFile, type DataBranch } from './data-branch.js';
import { git, pullRequestRepo, shallowCheckout } from './testing.js';

/**
 * A bare origin with main, and depth-1 clones of main as actions/checkout leaves them: each night
 * is a fresh clone that appends its line to nights.txt on the data branch.
 */
let root: string;
let originUrl: string;

const FILE = 'baselines/quick.json';
const BRANCH = 'load-test-data';
const clone = (): DataBranch => ({
  repoDir: shallowCheckout(root, originUrl, 'refs/heads/main'),
  branch: BRANCH,
});
const appendNight =
  (night: string) =>
  (previous: string | null): string =>
    `${previous ?? ''}${night}\n`;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'data-branch-'));
  originUrl = pullRequestRepo(root, {
    base: { 'README.md': 'main' },
    head: { 'README.md': 'feature' },
    number: 1,
  }).originUrl;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the data branch', () => {
  it('keeps three nights in a row as a history of three, and a later check reads it', async () => {
    const checkout = clone();
    expect(await readDataFile(checkout, FILE)).toBeNull();
    for (const night of ['night 1', 'night 2', 'night 3']) {
      const written = await writeDataFile(clone(), FILE, appendNight(night), {
        message: `load test: ${night}`,
      });
      expect(written.attempts).toBe(1);
    }
    const origin = join(root, 'origin.git');
    expect(git(origin, 'log', '--format=%s', BRANCH).split('\n')).toEqual([
      'load test: night 3',
      'load test: night 2',
      'load test: night 1',
    ]);
    // The data branch holds the data only; main is untouched.
    expect(git(origin, 'ls-tree', '-r', '--name-only', BRANCH)).toBe(FILE);
    expect(git(origin, 'log', '--format=%s', 'main').split('\n')).not.toContain(
      'load test: night 1',
    );
    // A pull request's check: a fresh clone of its merge commit reads the three nights.
    const check: DataBranch = {
      repoDir: shallowCheckout(root, originUrl, 'refs/pull/1/merge'),
      branch: BRANCH,
    };
    expect(await readDataFile(check, FILE)).toBe('night 1\nnight 2\nnight 3\n');
    expect(await readDataFile(check, 'baselines/other.json')).toBeNull();
  });

  it('writes again from the new tip when another push came first', async () => {
    const branch = 'race';
    const mine: DataBranch = { ...clone(), branch };
    // Another nightly (another scenario, another job) pushes between our fetch and our push.
    let raced = false;
    const racing: Git = {
      run: async (args, cwd, input) => {
        if (args[0] === 'push' && !raced) {
          raced = true;
          await writeDataFile({ ...clone(), branch }, FILE, appendNight('their night'), {
            message: 'theirs',
          });
        }
        return systemGit.run(args, cwd, input);
      },
    };
    const written = await writeDataFile(mine, FILE, appendNight('my night'), {
      message: 'mine',
      git: racing,
    });
    expect(written.attempts).toBe(2);
    expect(await readDataFile(mine, FILE)).toBe('their night\nmy night\n');
    expect(git(join(root, 'origin.git'), 'log', '--format=%s', branch).split('\n')).toEqual([
      'mine',
      'theirs',
    ]);
  });

  it('gives up after the bounded attempts, and names a push that is not allowed', async () => {
    const branch = 'always-raced';
    const alwaysRaced: Git = {
      run: async (args, cwd, input) => {
        if (args[0] === 'push') {
          await writeDataFile({ ...clone(), branch }, FILE, appendNight('x'), { message: 'x' });
        }
        return systemGit.run(args, cwd, input);
      },
    };
    await expect(
      writeDataFile({ ...clone(), branch }, FILE, appendNight('mine'), {
        message: 'mine',
        attempts: 2,
        git: alwaysRaced,
      }),
    ).rejects.toThrow(/gave up writing baselines\/quick\.json to always-raced after 2 attempts/);

    const readOnly: Git = {
      run: (args, cwd, input) =>
        args[0] === 'push'
          ? Promise.resolve({
              exitCode: 128,
              stdout: '',
              stderr: 'remote: Permission denied (403)',
            })
          : systemGit.run(args, cwd, input),
    };
    const refused = writeDataFile(clone(), FILE, appendNight('y'), {
      message: 'y',
      git: readOnly,
    });
    await expect(refused).rejects.toThrow(DataBranchError);
    await expect(refused).rejects.toThrow(/permissions: contents: write.*403/);
  });
});
