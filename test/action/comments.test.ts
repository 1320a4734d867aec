import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive } from '../../src/services/process.js';
import { checkRuns, HEAD_SHA, PR_NUMBER, type CheckRuns } from './check-runs.js';
import { runStep } from './runner.js';
import { explain, MAIN } from './test-bed.js';

/**
 * The bundled action's comments, inputs and API errors, run as a runner runs it (check-runs.ts):
 * what they assert holds whatever the verdict. Its checks do not fail the step on a regression
 * (a busy machine is no verdict on them); the verdict is e2e.test.ts.
 */
let runs: CheckRuns;

beforeAll(async () => {
  // One trial and one start a run: nothing here depends on the verdict, and each run costs
  // a start of the SUT and its warm-up less (the file took 53 s alone with three of each).
  // A short warm-up for the same reason: the default (5 s of the rate, 1,500 events) was 70% of
  // every side's load. Half check-runs.ts's rate: its baseline run must be valid, and beside
  // step 1's files the publisher held 292-297/s of 300/s four times in a row (the run invalid,
  // the baseline refused; a fresh-clone CI run, stop 40). So it runs in step 2 as well
  // (vitest.config.ts), where 150/s holds.
  runs = await checkRuns('action-comments', {
    'fail-on-regression': 'false',
    events: '300',
    rate: '150',
    'warmup-events': '150',
    trials: '1',
    rounds: '1',
    'max-rounds': '1',
  });
});

afterAll(() => runs?.bed.close());

describe('the bundled action: inputs, comments, API errors', () => {
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
        workDir: runs.stepsDir,
        inputs: runs.inputs(overrides),
        env: runs.env('pull_request'),
      });
      expect(main.exitCode, explain(main)).toBe(1);
      const errors = main.annotations.filter((annotation) => annotation.level === 'error');
      expect(errors, explain(main)).toHaveLength(1);
      expect(errors[0]?.properties).toBe('title=Invalid input');
      expect(errors[0]?.message).toMatch(message);
      expect(main.state).toEqual({});
    }
    expect(runs.bed.github.requests).toEqual([]);
  });

  it('mode baseline on a push: writes the baseline, summary only, post stops the SUT', async () => {
    const run = await runs.runAction('push', { mode: 'baseline' });
    expect(run.main.exitCode, explain(run.main)).toBe(0);
    const baselinePath = path.join(runs.workspace, 'baselines', 'action-comments.json');
    expect(run.main.outputs['baseline-path']).toBe(baselinePath);
    expect(JSON.parse(readFileSync(baselinePath, 'utf8'))).toMatchObject({
      kind: 'ethhook-load-test/baseline',
      name: 'action-comments',
    });
    expect(run.main.outputs.lost).toBe('0');
    expect(run.main.summary).toContain('Baseline mode:');
    expect(runs.bed.github.requests).toEqual([]);

    expect(run.post.exitCode, explain(run.post)).toBe(0);
    expect(run.sutPid).not.toBeNull();
    expect(groupAlive(run.sutPid as number)).toBe(false);
    expect(run.post.stdout).toContain(`Stopped the SUT: process group ${run.sutPid}: `);
  });

  it('first check creates the comment, a second run updates the same one', async () => {
    // Anyone can paste the marker: a comment of someone else carrying it is never ours to edit.
    const planted = runs.bed.github.addComment(
      PR_NUMBER,
      'someone',
      '<!-- ethhook-load-test:action-comments -->\nplanted',
    );
    const first = await runs.runAction('pull_request');
    expect(first.main.exitCode, explain(first.main)).toBe(0);
    // Any verdict: beside other files, this machine's trials are no verdict on the SUT.
    expect(['pass', 'inconclusive', 'regression']).toContain(first.main.outputs.verdict);
    expect(first.main.outputs.lost).toBe('0');
    for (const key of ['p50-ms', 'p95-ms', 'p99-ms', 'throughput'])
      expect(Number(first.main.outputs[key])).toBeGreaterThan(0);
    for (const key of ['result-path', 'report-path', 'html-report-path', 'logs-path'])
      expect(existsSync(first.main.outputs[key] as string), key).toBe(true);
    expect(readFileSync(first.main.outputs['html-report-path'] as string, 'utf8')).toMatch(
      /^<!doctype html>/i,
    );
    expect(first.main.summary).toContain('<!-- ethhook-load-test:action-comments -->');
    expect(runs.bed.github.commentsOn(PR_NUMBER)[0]).toEqual(planted);
    const comments = runs.ownComments();
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body.startsWith('<!-- ethhook-load-test:action-comments -->')).toBe(true);
    expect(comments[0]?.body).toMatch(
      /Load test `action-comments`: (PASS|INCONCLUSIVE|REGRESSION)/,
    );
    expect(first.main.outputs['comment-url']).toBe(
      `https://github.test/ethhook/app/pull/${PR_NUMBER}#issuecomment-${comments[0]?.id}`,
    );
    expect(
      runs.bed.github.requests.every(
        (request) => request.authorization === 'token ghs_fake_token_for_tests',
      ),
    ).toBe(true);
    expect(groupAlive(first.sutPid as number)).toBe(false);

    runs.bed.github.requests.length = 0;
    const second = await runs.runAction('pull_request');
    expect(second.main.exitCode, explain(second.main)).toBe(0);
    expect(runs.bed.github.commentsOn(PR_NUMBER)).toHaveLength(2);
    expect(runs.bed.github.commentsOn(PR_NUMBER)[0]).toEqual(planted);
    expect(runs.bed.github.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /repos/ethhook/app/issues/${PR_NUMBER}/comments`,
      'POST /graphql',
      `PATCH /repos/ethhook/app/issues/comments/${comments[0]?.id}`,
    ]);
    expect(second.main.outputs['comment-url']).toBe(first.main.outputs['comment-url']);
  });

  it('a 403 from the API is a warning; the summary still has the report', async () => {
    runs.bed.github.forbidWrites = true;
    try {
      const run = await runs.runAction('pull_request');
      expect(run.main.exitCode, explain(run.main)).toBe(0);
      const warnings = run.main.annotations.filter((annotation) => annotation.level === 'warning');
      expect(warnings.map((warning) => warning.properties)).toContain(
        'title=Load-test comment not posted',
      );
      expect(
        warnings.find((warning) => warning.properties === 'title=Load-test comment not posted')
          ?.message,
      ).toContain('403');
      expect(run.main.summary).toContain('Load test `action-comments`');
      expect(run.main.outputs['comment-url']).toBeUndefined();
      expect(groupAlive(run.sutPid as number)).toBe(false);
    } finally {
      runs.bed.github.forbidWrites = false;
    }
  });

  it('mode comment posts the uploaded comment.json of a check run, running nothing', async () => {
    const commentFile = path.join(runs.workspace, 'out', 'comment.json');
    expect(existsSync(commentFile)).toBe(true);
    const eventPath = path.join(runs.workspace, 'workflow_run.json');
    writeFileSync(
      eventPath,
      JSON.stringify({
        workflow_run: { head_sha: HEAD_SHA, event: 'pull_request', pull_requests: [] },
      }),
    );
    runs.bed.github.requests.length = 0;
    const run = await runStep({
      script: MAIN,
      workDir: runs.stepsDir,
      inputs: {
        mode: 'comment',
        'comment-file': 'out/comment.json',
        comment: 'always',
        'github-token': 'ghs_write',
      },
      env: { ...runs.env('push'), GITHUB_EVENT_NAME: 'workflow_run', GITHUB_EVENT_PATH: eventPath },
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.state).toEqual({});
    expect(runs.bed.github.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /repos/ethhook/app/pulls/${PR_NUMBER}`,
      `GET /repos/ethhook/app/issues/${PR_NUMBER}/comments`,
      'POST /graphql',
      `PATCH /repos/ethhook/app/issues/comments/${runs.ownComments()[0]?.id}`,
    ]);
    expect(runs.ownComments()).toHaveLength(1);
    expect(run.outputs['comment-url']).toBeDefined();
  });
});
