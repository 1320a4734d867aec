import { restoreService } from '../services/registry.js';
import type { Exec } from '../services/exec.js';
import { coreLogger, type ActionCore } from './core.js';
import { removeBaseWorktree, systemGit, type Git } from '../git/base-commit.js';
import { State } from './constants.js';
import { readSavedServices, type StateStore } from './state.js';

export interface PostDependencies {
  core: ActionCore;
  exec: Exec;
  env: NodeJS.ProcessEnv;
}

/**
 * The post step, run by the runner whatever happened in main (failure, cancellation): for every
 * instance main saved, its logs first, while the containers or the process still exist, then its
 * teardown. Safe to run twice and when main started nothing.
 */
export async function postAction(deps: PostDependencies): Promise<void> {
  const { core } = deps;
  // Paired A/B: the base commit's worktree, when main did not get to remove it.
  await removePairedWorktree(core, core);
  const saved = readSavedServices(core);
  if (saved.length === 0) {
    core.info('The main step started no services: nothing to clean up.');
    return;
  }
  const context = { exec: deps.exec, log: coreLogger(core), env: deps.env };
  const failures: string[] = [];
  for (const entry of saved) {
    const service = restoreService(entry, context);
    try {
      await service.collectLogs();
    } catch (error) {
      // The teardown matters more than the logs: never skip it because logs failed.
      core.warning(
        `Could not collect the logs of ${service.title}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    // Every instance is torn down even when an earlier one fails.
    await service.stop().catch((error: unknown) => {
      failures.push(error instanceof Error ? error.message : String(error));
    });
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
}

/** The base commit's worktree a paired check left behind (main died before removing it). */
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
