import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive } from '../../src/services/process.js';
import { checkRuns, type CheckRuns } from './check-runs.js';
import { explain } from './test-bed.js';

/**
 * The bundled action's verdict, run as a runner runs it (check-runs.ts): after a baseline on a
 * push, a pull request whose head is 300 ms slower per event fails the step. With the timing tests
 * (vitest.config.ts): its regression needs valid trials, and beside step 1's files trials fell
 * invalid (publisher behind its schedule, CPU steal), were measured again, and could end
 * inconclusive. The action's comments, inputs and API errors are comments.test.ts, which runs
 * beside other files.
 */
let runs: CheckRuns;

beforeAll(async () => {
  runs = await checkRuns('action-e2e');
  // The baseline the check reads, written as the nightly job writes it (mode baseline on a push;
  // comments.test.ts asserts what that mode does).
  const baseline = await runs.runAction('push', { mode: 'baseline' });
  expect(baseline.main.exitCode, explain(baseline.main)).toBe(0);
});

afterAll(() => runs?.bed.close());

describe('the bundled action (dist/index.js + dist/post.js)', () => {
  it('a regression exits 1 with a titled error, and the comment shows it with the deltas', async () => {
    const run = await runs.runAction('pull_request', { 'start-command': runs.startCommand(300) });
    expect(run.main.exitCode, explain(run.main)).toBe(1);
    expect(run.main.outputs).toMatchObject({ verdict: 'regression', passed: 'false' });
    const errors = run.main.annotations.filter((annotation) => annotation.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.properties).toBe('title=Performance regression (baseline action-e2e)');
    expect(errors[0]?.message).toMatch(/^Regression: .*Latency p50/);
    const comments = runs.ownComments();
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('REGRESSION');
    expect(comments[0]?.body).toMatch(/\+\d[\d,.]*\s?%/);
    expect(run.post.exitCode, explain(run.post)).toBe(0);
    expect(groupAlive(run.sutPid as number)).toBe(false);
  });
});
