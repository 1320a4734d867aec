import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addBaseWorktree } from '../git/base-commit.js';
import { commitFiles, git } from '../git/testing.js';
import { State } from './constants.js';
import { removePairedWorktree } from './paired-cleanup.js';

function store(values: Record<string, string>) {
  return { saveState: () => undefined, getState: (name: string) => values[name] ?? '' };
}

function log() {
  const lines: string[] = [];
  return {
    lines,
    info: (m: string) => lines.push(m),
    warning: (m: string) => lines.push(`warning: ${m}`),
  };
}

describe('removePairedWorktree (the post step)', () => {
  it('removes the worktree main left behind, and is quiet when there is none', async () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'post-worktree-'));
    git(repo, 'init', '-q');
    const commit = commitFiles(repo, { 'a.txt': 'a' }, 'a');
    const worktree = await addBaseWorktree(repo, commit, repo);
    const saved = store({
      [State.BaseWorktree]: JSON.stringify({ repoDir: repo, dir: worktree.dir }),
    });

    const first = log();
    await removePairedWorktree(saved, first);
    expect(existsSync(worktree.dir)).toBe(false);
    expect(first.lines).toEqual([`Removed the base commit's worktree ${worktree.dir}`]);
    expect(git(repo, 'worktree', 'list')).not.toContain(worktree.dir);

    const none = log();
    await removePairedWorktree(store({}), none);
    expect(none.lines).toEqual([]);
  });

  it('warns about a saved state it cannot read instead of guessing', async () => {
    const out = log();
    await removePairedWorktree(store({ [State.BaseWorktree]: '{"dir":3}' }), out);
    expect(out.lines).toEqual([
      `warning: saved state ${State.BaseWorktree} is not {repoDir, dir}: {"dir":3}`,
    ]);
  });
});
