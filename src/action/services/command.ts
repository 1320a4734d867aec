import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startSut, stopProcessGroup, type StartedSut } from '../../engine/sut/process.js';
import type { ActionCore } from '../core.js';
import { saveCommandState, saveSutPid, type CommandState, type StateStore } from '../state.js';

type Log = Pick<ActionCore, 'info' | 'warning' | 'group'>;

/** How the action starts the SUT; the engine's process control by default, a fake in tests. */
export type SutStarter = (
  command: string,
  options: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv },
) => StartedSut;

export interface CommandSutOptions {
  command: string;
  cwd: string;
  /** The SUT's stdout and stderr: the logs-path output. */
  logPath: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Start-command mode: the SUT runs as a detached process group with its output in a log file and
 * outlives the main step; post stops the group by its saved pid. Started after seeding (the
 * engine's afterSeed hook), like the CLI's --start, so an SUT that caches endpoints sees them.
 */
export class CommandSut {
  private started: StartedSut | null = null;

  constructor(
    private readonly options: CommandSutOptions,
    private readonly store: StateStore,
    private readonly log: Log,
    private readonly start: SutStarter = startSut,
  ) {}

  /** Lets the engine notice an SUT that died mid-run. */
  readonly watch = { exitedError: (): Error | null => this.started?.exitedError() ?? null };

  async launch(): Promise<void> {
    await mkdir(path.dirname(this.options.logPath), { recursive: true });
    saveCommandState(this.store, this.options.logPath);
    this.started = this.start(this.options.command, {
      logFile: this.options.logPath,
      cwd: this.options.cwd,
      env: this.options.env,
    });
    saveSutPid(this.store, this.started.pid);
    this.log.info(
      `Started the SUT (pid ${this.started.pid}): ${this.options.command}; log in ${this.options.logPath}`,
    );
  }
}

/** Post for start-command mode: stop the SUT's process group, then show its log in a group. */
export async function stopCommandSut(
  state: CommandState,
  logPath: string,
  log: Log,
  stop: (pid: number) => Promise<void> = (pid) => stopProcessGroup(pid),
): Promise<void> {
  if (state.pid !== null) {
    await stop(state.pid);
    log.info(`Stopped the SUT (process group ${state.pid})`);
  }
  // After the stop, so the log holds what the SUT printed while shutting down.
  let text: string;
  try {
    text = await readFile(logPath, 'utf8');
  } catch {
    log.info(`The SUT left no log at ${logPath}`);
    return;
  }
  await log.group('SUT log', async () => log.info(text.trimEnd()));
}
