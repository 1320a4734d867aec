import { existsSync } from 'node:fs';
import { runTrials } from '../engine/run/run.js';
import { actionsCore } from './core.js';
import type { ActionDependencies } from './dependencies.js';
import { octokitApi } from './github/api.js';
import { runContextFrom } from './github/context.js';
import { actionsExec } from './exec.js';

/** The real runner, Docker, GitHub and engine, for the main step's entry point. */
export function liveDependencies(): ActionDependencies {
  const abort = new AbortController();
  // A cancelled job gets SIGINT, then SIGTERM: stop the run and let post tear the services down.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => abort.abort());
  return {
    core: actionsCore,
    exec: actionsExec,
    env: process.env,
    fileExists: existsSync,
    context: runContextFrom(process.env),
    github: octokitApi,
    trialRunner: { runTrials },
    now: () => new Date(),
    signal: abort.signal,
  };
}
