import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive } from '../../src/services/process.js';
import { TEST_REDIS_URL } from '../../src/stack/test-support.js';
import { runnerEnv, runStep, type StepRun, savedService } from './runner.js';
import { actionTestBed, explain, MAIN, POST, type ActionTestBed } from './test-bed.js';

/**
 * The bundled action, run the way a GitHub runner runs it: `node dist/index.js`, then
 * `node dist/post.js` with the state main saved, INPUT_* variables, a pull_request event, the
 * file commands, and GITHUB_API_URL pointing at a fake GitHub on loopback. The system under test
 * is the reference pipeline, started by the action's start-command on the machine's Redis and
 * PostgreSQL (its own schema, chain and delivery queue).
 */
const PR_NUMBER = 42;
const HEAD_SHA = 'c0ffee'.padEnd(40, '0');

let bed: ActionTestBed;
let workspace: string;
let stepsDir: string;
let pullRequestEvent: string;
let pushEvent: string;

const startCommand = (processingDelayMs = 0): string =>
  bed.referenceStart(['--retry-base-delay-ms 50', `--processing-delay-ms ${processingDelayMs}`]);

function inputs(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    mode: 'check',
    scenario: 'quick',
    events: '600',
    rate: '300',
    concurrency: '3',
    // Three trials a run: a young baseline's interval comes from its trials.
    trials: '3',
    // The default warm-up (5 s of the rate): a shorter one leaves the first measured run slow.
    'chain-id': String(bed.chainId),
    'start-command': startCommand(),
    'redis-url': TEST_REDIS_URL,
    'database-url': bed.schema.url,
    'apply-schema': 'true',
    'ready-timeout': '30',
    'drain-timeout': '5',
    'receiver-port': '0',
    baseline: 'action-e2e',
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
    ...overrides,
  };
}

function env(eventName: 'pull_request' | 'push'): NodeJS.ProcessEnv {
  return runnerEnv({
    workspace,
    apiUrl: bed.github.url,
    eventName,
    eventPath: eventName === 'pull_request' ? pullRequestEvent : pushEvent,
    sha: 'f'.repeat(40),
    runId: '4711',
  });
}

interface ActionRun {
  main: StepRun;
  post: StepRun;
  sutPid: number | null;
}

/** main, then post with main's state; checks that post left no process of the SUT behind. */
async function runAction(
  eventName: 'pull_request' | 'push',
  overrides: Record<string, string> = {},
): Promise<ActionRun> {
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
}

/** The comments the action's token wrote on the pull request (GITHUB_TOKEN's bot). */
function ownComments() {
  return bed.github
    .commentsOn(PR_NUMBER)
    .filter((comment) => comment.author === 'github-actions[bot]');
}

beforeAll(async () => {
  bed = await actionTestBed('action-e2e');
  bed.github.pullHeads.set(PR_NUMBER, HEAD_SHA);
  workspace = bed.workspace;
  stepsDir = path.join(workspace, 'runner-steps');
  mkdirSync(path.join(workspace, 'baselines'));
  pullRequestEvent = bed.pullRequestEvent(PR_NUMBER, HEAD_SHA);
  pushEvent = path.join(workspace, 'push.json');
  writeFileSync(pushEvent, JSON.stringify({ ref: 'refs/heads/main' }));
});

afterAll(() => bed?.close());

describe('the bundled action (dist/index.js + dist/post.js)', () => {
  it('rejects bad inputs with an ::error:: naming the input, starting nothing', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { mode: 'compare' },
        /^Invalid input mode: "compare"\. Expected one of check, baseline, comment\.$/,
      ],
      [{ tolerance: '0.8' }, /key tolerance in .*ethhook-load-test\.json "0\.8"/],
      // Settings that are no inputs come from the project file, which the message names.
      [{ rate: 'fast' }, /ethhook-load-test\.json: key rate: "fast"\. Expected a number/],
      [
        { baseline: 'missing-baseline', 'compare-to': 'baseline' },
        /^Invalid input baseline: "baselines\/missing-baseline\.json" does not exist/,
      ],
      [
        { 'compose-file': 'no-such-compose.yml', 'start-command': '' },
        /^Invalid input compose-file: "no-such-compose\.yml" does not exist/,
      ],
    ];
    for (const [overrides, message] of cases) {
      const main = await runStep({
        script: MAIN,
        workDir: stepsDir,
        inputs: inputs(overrides),
        env: env('pull_request'),
      });
      expect(main.exitCode, explain(main)).toBe(1);
      const errors = main.annotations.filter((annotation) => annotation.level === 'error');
      expect(errors, explain(main)).toHaveLength(1);
      expect(errors[0]?.properties).toBe('title=Invalid input');
      expect(errors[0]?.message).toMatch(message);
      expect(main.state).toEqual({});
    }
    expect(bed.github.requests).toEqual([]);
  });

  it('mode baseline on a push: writes the baseline, summary only, post stops the SUT', async () => {
    const run = await runAction('push', { mode: 'baseline' });
    expect(run.main.exitCode, explain(run.main)).toBe(0);
    const baselinePath = path.join(workspace, 'baselines', 'action-e2e.json');
    expect(run.main.outputs['baseline-path']).toBe(baselinePath);
    expect(JSON.parse(readFileSync(baselinePath, 'utf8'))).toMatchObject({
      kind: 'ethhook-load-test/baseline',
      name: 'action-e2e',
    });
    expect(run.main.outputs.lost).toBe('0');
    expect(run.main.summary).toContain('Baseline mode:');
    expect(bed.github.requests).toEqual([]);

    expect(run.post.exitCode, explain(run.post)).toBe(0);
    expect(run.sutPid).not.toBeNull();
    expect(groupAlive(run.sutPid as number)).toBe(false);
    expect(run.post.stdout).toContain(`Stopped the SUT: process group ${run.sutPid}: `);
  });

  it('first check creates the comment, a second run updates the same one', async () => {
    // Anyone can paste the marker: a comment of someone else carrying it is never ours to edit.
    const planted = bed.github.addComment(
      PR_NUMBER,
      'someone',
      '<!-- ethhook-load-test:action-e2e -->\nplanted',
    );
    const first = await runAction('pull_request');
    expect(first.main.exitCode, explain(first.main)).toBe(0);
    // inconclusive only if the machine was too busy to hold the publish rate; never a regression.
    expect(['pass', 'inconclusive']).toContain(first.main.outputs.verdict);
    expect(first.main.outputs.lost).toBe('0');
    for (const key of ['p50-ms', 'p95-ms', 'p99-ms', 'throughput'])
      expect(Number(first.main.outputs[key])).toBeGreaterThan(0);
    for (const key of ['result-path', 'report-path', 'html-report-path', 'logs-path'])
      expect(existsSync(first.main.outputs[key] as string), key).toBe(true);
    expect(readFileSync(first.main.outputs['html-report-path'] as string, 'utf8')).toMatch(
      /^<!doctype html>/i,
    );
    expect(first.main.summary).toContain('<!-- ethhook-load-test:action-e2e -->');
    expect(bed.github.commentsOn(PR_NUMBER)[0]).toEqual(planted);
    const comments = ownComments();
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body.startsWith('<!-- ethhook-load-test:action-e2e -->')).toBe(true);
    expect(comments[0]?.body).toMatch(/Load test `action-e2e`: (PASS|INCONCLUSIVE)/);
    expect(first.main.outputs['comment-url']).toBe(
      `https://github.test/ethhook/app/pull/${PR_NUMBER}#issuecomment-${comments[0]?.id}`,
    );
    expect(
      bed.github.requests.every(
        (request) => request.authorization === 'token ghs_fake_token_for_tests',
      ),
    ).toBe(true);
    expect(groupAlive(first.sutPid as number)).toBe(false);

    bed.github.requests.length = 0;
    const second = await runAction('pull_request');
    expect(second.main.exitCode, explain(second.main)).toBe(0);
    expect(bed.github.commentsOn(PR_NUMBER)).toHaveLength(2);
    expect(bed.github.commentsOn(PR_NUMBER)[0]).toEqual(planted);
    expect(bed.github.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /repos/ethhook/app/issues/${PR_NUMBER}/comments`,
      'POST /graphql',
      `PATCH /repos/ethhook/app/issues/comments/${comments[0]?.id}`,
    ]);
    expect(second.main.outputs['comment-url']).toBe(first.main.outputs['comment-url']);
  });

  it('a regression exits 1 with a titled error, and the comment shows it with the deltas', async () => {
    const run = await runAction('pull_request', { 'start-command': startCommand(300) });
    expect(run.main.exitCode, explain(run.main)).toBe(1);
    expect(run.main.outputs).toMatchObject({ verdict: 'regression', passed: 'false' });
    const errors = run.main.annotations.filter((annotation) => annotation.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.properties).toBe('title=Performance regression (baseline action-e2e)');
    expect(errors[0]?.message).toMatch(/^Regression: .*Latency p50/);
    const comments = ownComments();
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('REGRESSION');
    expect(comments[0]?.body).toMatch(/\+\d[\d,.]*\s?%/);
    expect(run.post.exitCode, explain(run.post)).toBe(0);
    expect(groupAlive(run.sutPid as number)).toBe(false);
  });

  it('a 403 from the API is a warning; the summary still has the report', async () => {
    bed.github.forbidWrites = true;
    try {
      const run = await runAction('pull_request');
      expect(run.main.exitCode, explain(run.main)).toBe(0);
      const warnings = run.main.annotations.filter((annotation) => annotation.level === 'warning');
      expect(warnings.map((warning) => warning.properties)).toContain(
        'title=Load-test comment not posted',
      );
      expect(
        warnings.find((warning) => warning.properties === 'title=Load-test comment not posted')
          ?.message,
      ).toContain('403');
      expect(run.main.summary).toContain('Load test `action-e2e`');
      expect(run.main.outputs['comment-url']).toBeUndefined();
      expect(groupAlive(run.sutPid as number)).toBe(false);
    } finally {
      bed.github.forbidWrites = false;
    }
  });

  it('mode comment posts the uploaded comment.json of a check run, running nothing', async () => {
    const commentFile = path.join(workspace, 'out', 'comment.json');
    expect(existsSync(commentFile)).toBe(true);
    const eventPath = path.join(workspace, 'workflow_run.json');
    writeFileSync(
      eventPath,
      JSON.stringify({
        workflow_run: { head_sha: HEAD_SHA, event: 'pull_request', pull_requests: [] },
      }),
    );
    bed.github.requests.length = 0;
    const run = await runStep({
      script: MAIN,
      workDir: stepsDir,
      inputs: {
        mode: 'comment',
        'comment-file': 'out/comment.json',
        comment: 'always',
        'github-token': 'ghs_write',
      },
      env: { ...env('push'), GITHUB_EVENT_NAME: 'workflow_run', GITHUB_EVENT_PATH: eventPath },
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.state).toEqual({});
    expect(bed.github.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /repos/ethhook/app/pulls/${PR_NUMBER}`,
      `GET /repos/ethhook/app/issues/${PR_NUMBER}/comments`,
      'POST /graphql',
      `PATCH /repos/ethhook/app/issues/comments/${ownComments()[0]?.id}`,
    ]);
    expect(ownComments()).toHaveLength(1);
    expect(run.outputs['comment-url']).toBeDefined();
  });
});
