import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, pullRequestRepo, shallowCheckout } from '../../src/git/testing.js';
import { TEST_REDIS_URL } from '../../src/stack/test-support.js';
import { runnerEnv, runStep, type StepRun } from './runner.js';
import { REPO_ROOT } from '../../src/stack/test-support.js';
import { actionTestBed, explain, MAIN, POST, type ActionTestBed } from './test-bed.js';

/**
 * A team's first week, as the runner runs the bundled action: a repository (a bare origin) with
 * the example workflows and a project file, three nightly runs in fresh depth-1 checkouts of main
 * that leave a history of three on the load-test-data branch without any merge, and then a pull
 * request whose check reads that baseline from the branch and fails its step on a regression.
 * The system under test is the reference pipeline started by the project file's start-command
 * (no Docker here); the pull request slows it down by 1.5 s per event.
 */
const PR_NUMBER = 42;
const BRANCH = 'load-test-data';

let bed: ActionTestBed;
let originUrl: string;
let shas: { base: string; head: string; merge: string };

const example = (name: string): string =>
  readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8');

function projectFile(processingDelayMs: number): string {
  const start = bed.referenceStart([
    '--retry-base-delay-ms 50',
    `--processing-delay-ms ${processingDelayMs}`,
  ]);
  return `${JSON.stringify(
    {
      'start-command': start,
      'redis-url': TEST_REDIS_URL,
      'database-url': bed.schema.url,
      'apply-schema': true,
      'chain-id': bed.chainId,
      // A rate a busy machine keeps to: a night whose publisher falls behind is measured again,
      // and after three such a night refreshes no baseline.
      events: 300,
      rate: 150,
      concurrency: 3,
      trials: 1,
      // A warm-up of its own rather than the default 5 s of the rate: the pull request's delay
      // holds each batch of 100 for 1.5 s, so 1,500 warm-up events would take 20 s of its check.
      'warmup-events': 100,
      'ready-timeout': 30,
      'drain-timeout': 5,
      // Unchanged nights on a busy machine must not look like drift or a regression; the pull
      // request's 1.5 s per event is far beyond these limits.
      tolerance: '5x',
      // One start of the head against the median of the three nights: 1.5 s per event is no
      // stalled start's doing, and each start of the slowed head takes some 12 s.
      rounds: 1,
      'drift-issue': false,
    },
    null,
    2,
  )}\n`;
}

/** main then post, as a runner runs a step, in the checkout `dir`. */
async function runAction(
  dir: string,
  inputs: Record<string, string>,
  event: { name: 'push' | 'pull_request'; path: string; sha: string },
): Promise<StepRun> {
  const env = runnerEnv({
    workspace: dir,
    apiUrl: bed.github.url,
    eventName: event.name,
    eventPath: event.path,
    sha: event.sha,
    runId: '4711',
  });
  const stepsDir = path.join(bed.workspace, 'runner-steps');
  const all = { 'github-token': 'ghs_fake_token_for_tests', comment: 'never', ...inputs };
  const main = await runStep({ script: MAIN, workDir: stepsDir, inputs: all, env });
  const post = await runStep({
    script: POST,
    workDir: stepsDir,
    inputs: all,
    state: main.state,
    env,
  });
  expect(post.exitCode, explain(post)).toBe(0);
  return main;
}

beforeAll(async () => {
  bed = await actionTestBed('data-branch');
  const workflows = {
    '.github/workflows/pr-check.yml': example('pr-check.yml'),
    '.github/workflows/comment.yml': example('comment.yml'),
    '.github/workflows/nightly.yml': example('nightly.yml'),
  };
  const repo = pullRequestRepo(path.join(bed.workspace), {
    base: { ...workflows, 'ethhook-load-test.json': projectFile(0) },
    head: { 'ethhook-load-test.json': projectFile(1500) },
    number: PR_NUMBER,
  });
  originUrl = repo.originUrl;
  shas = repo.shas;
  bed.github.pullHeads.set(PR_NUMBER, shas.head);
});

afterAll(() => bed?.close());

describe('the example workflows, run by the bundled action against a local origin', () => {
  it('three nights build a history of three on the data branch; a pull request check reads it and gates', async () => {
    const pushEvent = path.join(bed.workspace, 'push.json');
    writeFileSync(pushEvent, JSON.stringify({ ref: 'refs/heads/main' }));
    for (const night of [1, 2, 3]) {
      // examples/nightly.yml: `mode: baseline`, nothing else.
      const checkout = shallowCheckout(bed.workspace, originUrl, 'refs/heads/main');
      const main = await runAction(
        checkout,
        { mode: 'baseline' },
        { name: 'push', path: pushEvent, sha: shas.base },
      );
      expect(main.exitCode, `night ${night}: ${explain(main)}`).toBe(0);
      expect(main.stdout).toContain(`the baseline ${BRANCH}:baselines/quick.json at `);
    }
    const origin = path.join(bed.workspace, 'origin.git');
    expect(git(origin, 'rev-list', '--count', BRANCH)).toBe('3');
    const stored = JSON.parse(git(origin, 'show', `${BRANCH}:baselines/quick.json`)) as {
      history: unknown[];
    };
    // Three nights: the newest as the baseline, the two before it in its history.
    expect(stored.history).toHaveLength(2);

    // examples/pr-check.yml on the pull request's merge commit; compare-to baseline rather than
    // auto, so the check compares with the nightly baseline instead of measuring the base here.
    const checkout = shallowCheckout(bed.workspace, originUrl, `refs/pull/${PR_NUMBER}/merge`);
    expect(existsSync(path.join(checkout, 'baselines', 'quick.json'))).toBe(false);
    const check = await runAction(
      checkout,
      { mode: 'check', 'compare-to': 'baseline', 'output-dir': path.join(checkout, '..', 'out') },
      {
        name: 'pull_request',
        path: bed.pullRequestEvent(PR_NUMBER, shas.head),
        sha: shas.merge,
      },
    );
    expect(check.outputs.verdict, `${explain(check)}\n--- summary\n${check.summary}`).toBe(
      'regression',
    );
    expect(check.exitCode, explain(check)).toBe(1);
    // The reference is the median of the three nights, so one stalled night cannot become it.
    expect(check.summary).toContain("the median of the baseline's 3 nights");
  }, 600_000);
});
