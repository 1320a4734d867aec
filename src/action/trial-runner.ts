import type { RunResult } from '../engine/measure/result.js';
import type { RunOptions } from '../engine/run/types.js';

/**
 * What the action needs of the engine: SUT start, readiness, seed, warm-up and N measured trials
 * (`runTrials` of src/engine/run in production, a fake in the action's tests).
 */
export interface TrialRunner {
  runTrials(options: RunOptions & { trials: number }): Promise<RunResult[]>;
}
