import type { ActionCore } from './core.js';
import type { TrialRunner } from './trial-runner.js';
import type { GitHubApi } from './github/api.js';
import type { RunContext } from './github/context.js';
import type { Exec } from '../services/exec.js';

/** Everything the main step touches, passed in: the entry point gives the real ones, tests fakes. */
export interface ActionDependencies {
  core: ActionCore;
  exec: Exec;
  env: NodeJS.ProcessEnv;
  fileExists(path: string): boolean;
  context: RunContext;
  github(token: string): GitHubApi;
  trialRunner: TrialRunner;
  now(): Date;
  signal?: AbortSignal;
}
