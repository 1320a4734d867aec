import { removeBaseWorktree, systemGit, type Git } from '../git/base-commit.js';
import { State, type StateStore } from './state.js';

// Apart from paired.ts so the post step, which only cleans up, does not bundle the paired run
// (receiver, publisher, Redis and Postgres clients).

/** The post step's part: the base worktree main left behind, if any. */
export async function removePairedWorktree(
  store: StateStore,
  log: { info(message: string): void; warning(message: string): void },
  git: Git = systemGit,
): Promise<void> {
  const raw = store.getState(State.BaseWorktree);
  if (!raw) return;
  const saved = JSON.parse(raw) as { repoDir?: unknown; dir?: unknown };
  if (typeof saved.repoDir !== 'string' || typeof saved.dir !== 'string') {
    log.warning(`saved state ${State.BaseWorktree} is not {repoDir, dir}: ${raw}`);
    return;
  }
  const problem = await removeBaseWorktree(saved.repoDir, saved.dir, git);
  if (problem) log.warning(problem);
  else log.info(`Removed the base commit's worktree ${saved.dir}`);
}
