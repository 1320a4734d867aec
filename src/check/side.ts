import type { Logger } from '../engine/log.js';
import type { RunResult } from '../engine/measure/result.js';
import { SutFailedError } from '../engine/run/errors.js';
import type { RunOptions, SutLifecycle } from '../engine/run/types.js';
import type { Exec } from '../services/exec.js';
import { createService, type ServiceSettings } from '../services/registry.js';
import type { SavedService, ServiceContext, SutService } from '../services/service.js';
import type { Phase, PhaseTimes, SideMeasurement, SideName } from '../compare/rounds.js';
import type { PairedSide } from './rounds.js';

/**
 * One side of a paired run (the base commit or the head) as the service layer runs it: its own
 * tree, its own compose project or command, prepared once, then started fresh for every round.
 */

export interface SideSpec {
  name: SideName;
  /** How this side's SUT runs; compose files and commands resolve from `cwd`. */
  services: ServiceSettings;
  /** The side's tree: the head's checkout, or the base commit's worktree. */
  cwd: string;
  /** Run once in `cwd` before the first round (e.g. a build); null for none. */
  prepareCommand: string | null;
  /** The side's SUT log (each round appends or replaces it, as the mode does). */
  logsPath: string;
}

export interface SideDependencies {
  exec: Exec;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** Generated files (compose overrides). */
  tempDir: string;
  readyTimeoutMs: number;
  /** The setting behind an error, as the user wrote it (`compose-file` / `--compose-file`). */
  settingName: ServiceContext['settingName'];
  /** The prepare command's setting name, for its error. */
  prepareSettingName: string;
  save(saved: SavedService): void;
  /** The run engine (runTrials); both sides get the same load, so the same events. */
  runTrials(options: RunOptions & { trials: number }): Promise<RunResult[]>;
  load: Omit<RunOptions, 'sut' | 'logger' | 'signal' | 'onPhase'>;
  signal?: AbortSignal;
  clock?: () => number;
}

export class PrepareCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrepareCommandError';
  }
}

export interface ServiceSide extends PairedSide {
  /** Stops whatever a failed round left running; safe to repeat. */
  stop(): Promise<void>;
  describeFailure(): Promise<string>;
}

export function serviceSide(spec: SideSpec, deps: SideDependencies): ServiceSide {
  const clock = deps.clock ?? Date.now;
  const service: SutService = createService(spec.services, {
    instance: spec.name,
    cwd: spec.cwd,
    env: deps.env,
    logsPath: spec.logsPath,
    tempDir: deps.tempDir,
    readyTimeoutMs: deps.readyTimeoutMs,
    settingName: deps.settingName,
    exec: deps.exec,
    log: deps.log,
    save: deps.save,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });

  const timed = async <T>(phases: PhaseTimes, phase: Phase, work: () => Promise<T>): Promise<T> => {
    const started = clock();
    try {
      return await work();
    } finally {
      phases[phase] = (phases[phase] ?? 0) + (clock() - started);
    }
  };

  return {
    name: spec.name,

    async prepare() {
      if (spec.prepareCommand) {
        const result = await deps.exec.run('sh', ['-c', spec.prepareCommand], {
          cwd: spec.cwd,
          env: deps.env,
          ...(deps.signal ? { signal: deps.signal } : {}),
        });
        if (result.exitCode !== 0 || result.aborted) {
          const output = (result.stderr.trim() || result.stdout.trim())
            .split('\n')
            .slice(-20)
            .join('\n');
          throw new PrepareCommandError(
            `${deps.prepareSettingName} failed for the ${spec.name} (in ${spec.cwd}): \`${spec.prepareCommand}\` ${result.aborted ? 'was stopped' : `exited with code ${result.exitCode}`}${output ? `:\n${output}` : ''}`,
          );
        }
      }
      await service.prepare();
    },

    async measure(round: number): Promise<SideMeasurement> {
      const phases: PhaseTimes = {};
      // The side is watched while it measures: a process that dies mid-round ends the round at
      // once, named, instead of being measured on (or blamed on the receiver a round later).
      const watch = livenessWatch(service, deps.load.sutHealthUrls, deps.signal);
      const sut: SutLifecycle = {
        start: () => timed(phases, 'start', () => service.start()),
        waitReady: async () => {
          await timed(phases, 'ready', () => service.waitReady());
          watch.start();
        },
        exitedError: () => service.exitedError(),
      };
      const stop = async () => {
        watch.stop();
        await service.collectLogs({ quiet: true }).catch(() => undefined);
        await timed(phases, 'stop', () => service.stop());
      };
      let results: RunResult[];
      try {
        results = await deps.runTrials({
          ...deps.load,
          trials: 1,
          sut,
          logger: deps.log,
          onPhase: (phase, ms) => {
            phases[phase] = (phases[phase] ?? 0) + ms;
          },
          signal: watch.signal,
        });
        const died = watch.problem() ?? (await service.liveness(deps.load.sutHealthUrls));
        if (died)
          throw new SutFailedError(`the ${spec.name} failed during round ${round}: ${died}`);
      } catch (error) {
        const died = watch.problem();
        // The measurement's error is the one to report; a failed stop after it is a warning.
        await stop().catch((stopError: unknown) => {
          deps.log.warn(
            `Could not stop the ${spec.name}: ${stopError instanceof Error ? stopError.message : String(stopError)}`,
          );
        });
        if (died && !(error instanceof SutFailedError)) {
          throw new SutFailedError(`the ${spec.name} failed during round ${round}: ${died}`, {
            cause: error,
          });
        }
        throw error;
      }
      await stop();
      return { result: results[0] as RunResult, phases };
    },

    stop: () => service.stop(),
    describeFailure: () => service.describeFailure(),
  };
}

/** Polls a side's liveness once a second while it measures; a problem aborts the measurement. */
function livenessWatch(
  service: SutService,
  healthUrls: readonly string[],
  outer: AbortSignal | undefined,
): { start(): void; stop(): void; problem(): string | null; signal: AbortSignal } {
  const abort = new AbortController();
  const onOuter = () => abort.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | null = null;
  let found: string | null = null;
  let checking = false;
  return {
    signal: abort.signal,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (checking || found) return;
        checking = true;
        service
          .liveness(healthUrls)
          .then((problem) => {
            if (problem && !found) {
              found = problem;
              abort.abort(new Error(problem));
            }
          })
          .catch(() => undefined)
          .finally(() => {
            checking = false;
          });
      }, LIVENESS_INTERVAL_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      outer?.removeEventListener('abort', onOuter);
    },
    problem: () => found,
  };
}

/** How often a measuring side is checked: soon enough to end a dead round within seconds. */
const LIVENESS_INTERVAL_MS = 1_000;
