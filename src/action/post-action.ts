import type { ActionCore } from './core.js';
import { stopCommandSut } from './services/command.js';
import { ComposeServices } from './services/compose.js';
import type { Exec } from './services/exec.js';
import { readServicesState } from './state.js';

export interface PostDependencies {
  core: ActionCore;
  exec: Exec;
  /** Stops the SUT's process group; the engine's SIGTERM-then-SIGKILL by default. */
  stopProcessGroup?: (pid: number) => Promise<void>;
}

/**
 * The post step, run by the runner whatever happened in main (failure, cancellation): the
 * services' logs first, while the containers or the process still exist, then the teardown.
 * Safe to run twice and when main started nothing.
 */
export async function postAction(deps: PostDependencies): Promise<void> {
  const { core } = deps;
  const state = readServicesState(core);
  switch (state.kind) {
    case 'none':
      core.info('The main step started no services: nothing to clean up.');
      return;
    case 'external':
      core.info('The services were already running before this action: nothing to stop.');
      return;
    case 'compose': {
      const compose = new ComposeServices(deps.exec, core);
      try {
        await compose.collectLogs(state.compose, state.logsPath);
      } catch (error) {
        // The teardown matters more than the logs: never skip `down` because logs failed.
        core.warning(
          `Could not collect the services' logs: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      await core.group(`Stopping the services (compose project ${state.compose.project})`, () =>
        compose.down(state.compose),
      );
      return;
    }
    case 'command':
      await stopCommandSut(state.command, state.logsPath, core, deps.stopProcessGroup);
      return;
  }
}
