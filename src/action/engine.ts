import type { RunResult } from '../engine/measure/result.js';
import type { RunOptions } from '../engine/run/types.js';

export interface RunHooks {
  /** After the endpoints are seeded: start-command mode starts the SUT here. */
  afterSeed?(): Promise<void>;
}

/** The engine as the action uses it: readiness, seed, warm-up and N measured trials. */
export interface LoadTestEngine {
  runTrials(options: RunOptions & { trials: number }, hooks: RunHooks): Promise<RunResult[]>;
}
