import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runnerEnv, runStep, type StepRun, savedService } from './runner.js';
import { actionTestBed, MAIN, POST, stackInputs, type ActionTestBed } from './test-bed.js';

/**
 * The bundled action, run the way a GitHub runner runs it: `node dist/index.js`, then
 * `node dist/post.js` with the state main saved, INPUT_* variables, a pull_request or push event,
 * the file commands, and GITHUB_API_URL pointing at a fake GitHub on loopback. The system under
 * test is the reference pipeline, started by the action's start-command on the machine's Redis and
 * PostgreSQL (its own schema, chain and delivery queue). Shared by the test files of the action's
 * check: the verdict (run alone, e2e.test.ts) and the comments (comments.test.ts).
 */
export const PR_NUMBER = 42;
export const HEAD_SHA = 'c0ffee'.padEnd(40, '0');

export interface ActionRun {
  main: StepRun;
  post: StepRun;
  sutPid: number | null;
}

export interface CheckRuns {
  bed: ActionTestBed;
  workspace: string;
  stepsDir: string;
  startCommand(processingDelayMs?: number): string;
  inputs(overrides?: Record<string, string>): Record<string, string>;
  env(eventName: 'pull_request' | 'push'): NodeJS.ProcessEnv;
  /** main, then post with main's state. */
  runAction(
    eventName: 'pull_request' | 'push',
    overrides?: Record<string, string>,
  ): Promise<ActionRun>;
  /** The comments the action's token wrote on the pull request (GITHUB_TOKEN's bot). */
  ownComments(): ReturnType<ActionTestBed['github']['commentsOn']>;
}

/** A bed named `name`, its baseline `name` too (baselines/<name>.json), with `defaults` on top. */
export async function checkRuns(
  name: string,
  defaults: Record<string, string> = {},
): Promise<CheckRuns> {
  const bed = await actionTestBed(name);
  bed.github.pullHeads.set(PR_NUMBER, HEAD_SHA);
  const workspace = bed.workspace;
  const stepsDir = path.join(workspace, 'runner-steps');
  mkdirSync(path.join(workspace, 'baselines'));
  const pullRequestEvent = bed.pullRequestEvent(PR_NUMBER, HEAD_SHA);
  const pushEvent = path.join(workspace, 'push.json');
  writeFileSync(pushEvent, JSON.stringify({ ref: 'refs/heads/main' }));

  const startCommand = (processingDelayMs = 0): string =>
    bed.referenceStart(['--retry-base-delay-ms 50', `--processing-delay-ms ${processingDelayMs}`]);

  const inputs = (overrides: Record<string, string> = {}): Record<string, string> => ({
    mode: 'check',
    scenario: 'quick',
    events: '600',
    rate: '300',
    concurrency: '3',
    // Three trials a run: a young baseline's interval comes from its trials.
    trials: '3',
    // The default warm-up (5 s of the rate): a shorter one leaves the first measured run slow.
    ...stackInputs(bed),
    'start-command': startCommand(),
    'receiver-port': '0',
    baseline: name,
    // Unchanged runs a minute apart on a busy 2-core machine must pass: wide limits, which the
    // injected 300 ms processing delay (some 100x a quiet p50) still exceeds many times over.
    tolerance: '5x',
    'fail-on-regression': 'true',
    // A run this busy machine could not judge warns here instead of failing the step.
    'fail-on-inconclusive': 'false',
    comment: 'always',
    'github-token': 'ghs_fake_token_for_tests',
    'working-directory': '.',
    'output-dir': 'out',
    ...defaults,
    ...overrides,
  });

  const env = (eventName: 'pull_request' | 'push'): NodeJS.ProcessEnv =>
    runnerEnv({
      workspace,
      apiUrl: bed.github.url,
      eventName,
      eventPath: eventName === 'pull_request' ? pullRequestEvent : pushEvent,
      sha: 'f'.repeat(40),
      runId: '4711',
    });

  const runAction = async (
    eventName: 'pull_request' | 'push',
    overrides: Record<string, string> = {},
  ): Promise<ActionRun> => {
    const main = await runStep({
      script: MAIN,
      workDir: stepsDir,
      inputs: inputs(overrides),
      env: env(eventName),
    });
    const pid = Number(savedService(main.state).pid);
    const post = await runStep({
      script: POST,
      workDir: stepsDir,
      inputs: inputs(overrides),
      state: main.state,
      env: env(eventName),
    });
    return { main, post, sutPid: Number.isInteger(pid) && pid > 0 ? pid : null };
  };

  const ownComments = () =>
    bed.github.commentsOn(PR_NUMBER).filter((comment) => comment.author === 'github-actions[bot]');

  return { bed, workspace, stepsDir, startCommand, inputs, env, runAction, ownComments };
}
