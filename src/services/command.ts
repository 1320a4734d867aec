import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../engine/log.js';
import { healthProblem, namedProblem } from './liveness.js';
import { groupMembers, startSut, stopProcessGroup, type StartedSut } from './process.js';
import type {
  RestoreContext,
  SavedService,
  ServiceContext,
  ServiceMode,
  SutService,
} from './service.js';

export interface CommandSettings {
  mode: 'command';
  /** A shell command line, run by /bin/sh in the instance's cwd. */
  command: string;
}

/** How a command is started: the real process group by default, a fake in unit tests. */
export type SutStarter = (
  command: string,
  options: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv },
) => StartedSut;

/** Ends a process group by its id and says what it did; the real SIGTERM-then-SIGKILL by default. */
export type GroupStopper = (pid: number) => Promise<string>;

const savedCommandSchema = z.object({
  mode: z.literal('command'),
  instance: z.string(),
  logsPath: z.string(),
  command: z.string(),
  /** Process group id of the started command; null until it was spawned. */
  pid: z.number().int().positive().nullable(),
});

export type SavedCommand = z.infer<typeof savedCommandSchema> & SavedService;

/**
 * Command mode: the SUT runs as a detached process group (its own session) with its output in
 * the instance's log file. Stopping ends the whole group, also when the started shell has already
 * exited or was killed while what it started still holds the SUT's ports.
 */
export class CommandService implements SutService {
  private started: StartedSut | null = null;
  private saved: SavedCommand | null;
  private startedMs: number | null = null;
  /** The group's processes as liveness checks see them: which are residents, which come and go. */
  private residents = new Residents();

  constructor(
    private readonly log: Logger,
    private readonly setup: {
      settings?: CommandSettings;
      context?: ServiceContext;
      saved?: SavedCommand;
      start?: SutStarter;
      stopGroup?: GroupStopper;
    },
  ) {
    this.saved = setup.saved ?? null;
  }

  get title(): string {
    const command = this.setup.settings?.command ?? this.saved?.command ?? '';
    return `command \`${command}\``;
  }

  async prepare(): Promise<void> {
    // A command builds what it needs itself, when it starts.
  }

  /** Saves the log path before the spawn and the pid right after: post can always stop it. */
  async start(): Promise<void> {
    const context = this.setup.context;
    const settings = this.setup.settings;
    if (!context || !settings) throw new Error('a restored command instance can only be stopped');
    await mkdir(path.dirname(context.logsPath), { recursive: true });
    this.saved = {
      mode: 'command',
      instance: context.instance,
      logsPath: context.logsPath,
      command: settings.command,
      pid: null,
    };
    context.save(this.saved);
    this.startedMs = Date.now();
    this.residents = new Residents();
    this.started = (this.setup.start ?? startSut)(settings.command, {
      logFile: context.logsPath,
      cwd: context.cwd,
      env: context.env,
    });
    this.saved = { ...this.saved, pid: this.started.pid };
    context.save(this.saved);
    this.log.info(
      `Started the SUT (process group ${this.started.pid}): ${settings.command}; its log: ${context.logsPath}`,
    );
  }

  /** A process has no readiness of its own: the engine's probes (consumer, health URLs) decide. */
  async waitReady(): Promise<void> {
    const died = this.exitedError();
    if (died) throw died;
  }

  exitedError(): Error | null {
    return this.started?.exitedError() ?? null;
  }

  /** The started process group's id; null before start. */
  get pid(): number | null {
    return this.started?.pid ?? null;
  }

  async liveness(healthUrls: readonly string[] = []): Promise<string | null> {
    const started = this.started;
    if (!started) return null;
    const instance = this.setup.context?.instance ?? this.saved?.instance ?? 'sut';
    const named = (problem: string) => namedProblem(instance, problem, this.startedMs);
    const died = started.exitedError();
    // The first line: the log's tail is for the error of the run, not for a round's note.
    if (died) return named(died.message.split('; last lines of its log')[0]!);
    const members = groupMembers(started.pid);
    if (members.length === 0) return named(`process group ${started.pid} has no process left`);
    const lost = this.residents.check(members);
    if (lost) return named(`process group ${started.pid} lost a process (${lost})`);
    const unhealthy = await healthProblem(healthUrls);
    return unhealthy ? named(unhealthy) : null;
  }

  /** The log file into a collapsible group; the file itself is already the logs file. */
  async collectLogs({ quiet = false } = {}): Promise<string | null> {
    if (!this.saved) return null;
    const { logsPath } = this.saved;
    if (quiet) return logsPath;
    let text: string;
    try {
      text = await readFile(logsPath, 'utf8');
    } catch {
      this.log.info(`The SUT left no log at ${logsPath}`);
      return null;
    }
    await this.log.group('SUT log', async () => this.log.info(text.trimEnd()));
    return logsPath;
  }

  /** Ends the whole process group, whether the started shell still runs or not. */
  async stop(): Promise<void> {
    const pid = this.started?.pid ?? this.saved?.pid ?? null;
    if (pid === null) return;
    const done = this.started
      ? await this.started.stop()
      : await (this.setup.stopGroup ?? ((group) => stopProcessGroup(group)))(pid);
    this.log.info(`Stopped the SUT: ${done}`);
  }

  async describeFailure(): Promise<string> {
    return this.saved ? `The SUT's log: ${this.saved.logsPath}.` : '';
  }
}

export const commandMode: ServiceMode<CommandSettings, SavedCommand> = {
  description: 'a shell command: started as its own process group, the whole group stopped after',
  startsTheSut: true,
  create: (settings, context) => new CommandService(context.log, { settings, context }),
  parseSaved: (saved) => savedCommandSchema.parse(saved),
  restore: (saved, context: RestoreContext) => new CommandService(context.log, { saved }),
};

/**
 * A server of the group killed while its wrapper lives, told from a helper that comes and goes (a
 * loop's curl, sleep or redis-cli). A process seen at RESIDENT_AFTER checks in a row is a resident;
 * the group has lost one when it holds fewer processes than it held residents at most, at two
 * checks in a row. A short helper never becomes a resident; a long one that ends is replaced by the
 * next, so the count holds; a killed server leaves the count short for good.
 */
export class Residents {
  /** Checks in a row at which each process was seen. */
  private readonly seen = new Map<number, number>();
  private mostResidents = 0;
  private shortInARow = 0;

  /** Takes one check's members; returns the problem, or null. */
  check(members: readonly number[]): string | null {
    const now = new Set(members);
    for (const pid of [...this.seen.keys()]) if (!now.has(pid)) this.seen.delete(pid);
    for (const pid of members) this.seen.set(pid, (this.seen.get(pid) ?? 0) + 1);
    const residents = [...this.seen.values()].filter((checks) => checks >= RESIDENT_AFTER).length;
    this.mostResidents = Math.max(this.mostResidents, residents);
    this.shortInARow = members.length < this.mostResidents ? this.shortInARow + 1 : 0;
    if (this.shortInARow < 2) return null;
    return `${this.mostResidents} long-running before, ${members.length} now`;
  }
}

/** Checks in a row (a second apart while measuring) after which a process is a resident. */
const RESIDENT_AFTER = 3;
