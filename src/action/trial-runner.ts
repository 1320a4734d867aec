import type { RunResult } from '../engine/measure/result.js';
import type { RunOptions } from '../engine/run/types.js';

export interface RunHooks {
  /** After the measured trials, in the same session: may measure more (confirmation). */
  afterTrials?(results: readonly RunResult[], measureMore: () => Promise<RunResult>): Promise<void>;
}

/**
 * What the action needs of the engine: SUT start, readiness, seed, warm-up and N measured trials
 * (`runTrials` of src/engine/run in production, a fake in the action's tests).
 */
export interface TrialRunner {
  runTrials(options: RunOptions & { trials: number }, hooks?: RunHooks): Promise<RunResult[]>;
}
