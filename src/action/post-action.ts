import { restoreService } from '../services/registry.js';
import type { Exec } from '../services/exec.js';
import { coreLogger, type ActionCore } from './core.js';
import { removePairedWorktree } from './paired-cleanup.js';
import { readSavedServices } from './state.js';

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
