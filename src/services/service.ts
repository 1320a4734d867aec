import type { Logger } from '../engine/log.js';
import type { Exec } from './exec.js';

/**
 * One way of running the system under test (SUT): compose, a command, or already running. Every
 * mode implements the same lifecycle, and one run may hold several instances (paired A/B: the
 * base commit and the head, each with its own working directory, environment and name).
 *
 * The order a run calls them in: prepare, start, waitReady, (the engine's readiness, seed, load),
 * collectLogs, stop. stop is safe to repeat and safe when start never ran or failed half-way.
 */
export interface SutService {
  /** For the log: "compose project ethhook-load-test-1-1-a1b2c3", "command `./start.sh`". */
  readonly title: string;
  /** Validates and builds (compose: the files parse, images are built); starts nothing. */
  prepare(): Promise<void>;
  start(): Promise<void>;
  /** The mode's own readiness (compose: every container running and healthy). */
  waitReady(): Promise<void>;
  /** The failure once the SUT died on its own, else null: lets a run stop with the reason. */
  exitedError(): Error | null;
  /**
   * The SUT's logs into its logs file and (unless quiet) a collapsible group of the log; returns
   * the file, or null when there is none (services already running).
   */
  collectLogs(options?: { quiet?: boolean }): Promise<string | null>;
  /** Stops and tears down everything start created; says what it did in the log. */
  stop(): Promise<void>;
  /** What to add to an error of the run: "processor: unhealthy", or '' when nothing is known. */
  describeFailure(): Promise<string>;
  /**
   * A cheap check that the instance still runs, for a round to call between its phases or poll
   * while it measures: null when alive, else the problem naming the instance and when, e.g.
   * "base: the SUT command (./start.sh) exited with code 137, 12.3 s after it started". Command
   * mode: the started command, and its process group compared with the most processes earlier
   * calls saw (call it once the SUT is ready); compose: every container running (or done);
   * every mode: each of `healthUrls` answers 2xx.
   */
  liveness(healthUrls?: readonly string[]): Promise<string | null>;
}

/**
 * What another process needs to tear an instance down (the action's post step, after the main
 * step failed or was killed): saved before every side effect that it lets undo. JSON-serialisable.
 */
export interface SavedService {
  mode: string;
  /** Which instance of the run: 'sut' for the only one; 'base' and 'head' for a paired run. */
  instance: string;
  logsPath: string;
}

/** Everything an instance needs from its caller: the caller decides names, folders and env. */
export interface ServiceContext {
  /** Names the instance within the run; part of the compose project name. */
  instance: string;
  /** Where the SUT runs (compose files and commands resolve relative paths from here). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The instance's log file, in the run's output folder. */
  logsPath: string;
  /** Generated files (the compose override) go here. */
  tempDir: string;
  /** Bounds the mode's own wait for readiness. */
  readyTimeoutMs: number;
  /** The setting that caused an error, as the user wrote it: "compose-file" or "--compose-file". */
  settingName(setting: 'composeFile' | 'readyTimeout' | 'startCommand'): string;
  exec: Exec;
  log: Logger;
  /** Persists what teardown needs (the action's saved state; nothing in the CLI). */
  save(saved: SavedService): void;
  /** A run that is stopped (Ctrl-C, a cancelled job) stops waiting. */
  signal?: AbortSignal;
}

/** The context of a teardown in another process: no settings, no timeout, only what was saved. */
export type RestoreContext = Pick<ServiceContext, 'exec' | 'log' | 'env'>;

/**
 * A mode: how its settings become a running instance, and how a saved instance is found again.
 * `parseSaved` checks what a post step read back before trusting it.
 */
export interface ServiceMode<Settings, Saved extends SavedService> {
  /** One line for help texts and errors. */
  description: string;
  /**
   * Whether the run starts the SUT, so that a stop and a start give a fresh one: a base beside it
   * and more starts of the head need that. False for a SUT already running (external).
   */
  startsTheSut: boolean;
  create(settings: Settings, context: ServiceContext): SutService;
  parseSaved(saved: unknown): Saved;
  restore(saved: Saved, context: RestoreContext): SutService;
}
