import type { Logger } from '../engine/log.js';
import type { RunResult } from '../engine/measure/result.js';
import { SutFailedError } from '../engine/run/errors.js';
import type { RunOptions } from '../engine/run/types.js';
import type { Exec } from '../services/exec.js';
import { createService, type ServiceSettings } from '../services/registry.js';
import type { SavedService, ServiceContext, SutService } from '../services/service.js';
import type { Phase, PhaseTimes, SideMeasurement, SideName } from '../compare/rounds.js';
import { watchSut } from './liveness.js';
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
  /** The load of every start, and how many trials a start measures after its warm-up. */
  load: Omit<RunOptions, 'sut' | 'logger' | 'signal' | 'onPhase'> & { trials: number };
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
      await runPrepareCommand(spec, deps);
      await service.prepare();
    },

    async measure(round: number): Promise<SideMeasurement> {
      const phases: PhaseTimes = {};
      const watch = watchSut(service, deps.load.sutHealthUrls, deps.signal, (phase, work) =>
        timed(phases, phase, work),
      );
      const failed = `the ${spec.name} failed during round ${round}`;
      const stop = async () => {
        watch.stop();
        await service.collectLogs({ quiet: true }).catch(() => undefined);
        await timed(phases, 'stop', () => service.stop());
      };
      let results: RunResult[];
      try {
        results = await deps.runTrials({
          ...deps.load,
          sut: watch.lifecycle,
          logger: deps.log,
          onPhase: (phase, ms) => {
            phases[phase] = (phases[phase] ?? 0) + ms;
          },
          signal: watch.signal,
        });
        const died = watch.problem() ?? (await service.liveness(deps.load.sutHealthUrls));
        if (died) throw new SutFailedError(`${failed}: ${died}`);
      } catch (error) {
        // The measurement's error is the one to report; a failed stop after it is a warning.
        await stop().catch((stopError: unknown) => {
          deps.log.warn(
            `Could not stop the ${spec.name}: ${stopError instanceof Error ? stopError.message : String(stopError)}`,
          );
        });
        throw watch.explain(error, failed);
      }
      await stop();
      return { results, phases };
    },

    stop: () => service.stop(),
    describeFailure: () => service.describeFailure(),
  };
}

/** The side's prepare command (a build, say), once before its first round; none when unset. */
async function runPrepareCommand(spec: SideSpec, deps: SideDependencies): Promise<void> {
  if (!spec.prepareCommand) return;
  const result = await deps.exec.run('sh', ['-c', spec.prepareCommand], {
    cwd: spec.cwd,
    env: deps.env,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (result.exitCode !== 0 || result.aborted) {
    const output = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-20).join('\n');
    throw new PrepareCommandError(
      `${deps.prepareSettingName} failed for the ${spec.name} (in ${spec.cwd}): \`${spec.prepareCommand}\` ${result.aborted ? 'was stopped' : `exited with code ${result.exitCode}`}${output ? `:\n${output}` : ''}`,
    );
  }
}
