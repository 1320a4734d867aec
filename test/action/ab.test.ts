import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateBaseline, writeBaseline } from '../../src/compare/baseline.js';
import { makeRunResult } from '../../src/compare/fixtures.js';
import { aggregateTrials } from '../../src/compare/trials.js';
import { git, pullRequestRepo, shallowCheckout } from '../../src/git/testing.js';
import { groupAlive } from '../../src/services/process.js';
import { runnerEnv, runStep } from './runner.js';
import { actionTestBed, explain, MAIN, POST, stackInputs, type ActionTestBed } from './test-bed.js';

/**
 * Paired A/B as a runner runs it: a real git repository whose pull request changes one setting
 * the start command reads (the reference pipeline's processing delay), checked out the way
 * actions/checkout does (the merge commit, depth 1). The committed baseline was measured on
 * another machine, so `compare-to: auto` measures the base commit on this runner instead.
 */
const PR_NUMBER = 7;

let bed: ActionTestBed;
let workspace: string;
let checkout: string;
let runnerTemp: string;
let mergeSha: string;
let baseSha: string;

/** The start command of both commits: only delay.txt differs between them. */
const startCommand = (): string => bed.referenceStart(['--processing-delay-ms "$(cat delay.txt)"']);

function inputs(): Record<string, string> {
  return {
    mode: 'check',
    scenario: 'quick',
    events: '400',
    rate: '200',
    concurrency: '2',
    'warmup-events': '200',
    // One trial a start: this file is about the action's plumbing of a paired check, and each
    // round's starts then take a third of the default three trials' time.
    trials: '1',
    rounds: '2',
    ...stackInputs(bed),
    'start-command': startCommand(),
    baseline: 'quick',
    comment: 'always',
    'github-token': 'ghs_fake_token_for_tests',
    'working-directory': '.',
    'output-dir': path.join(workspace, 'out'),
  };
}

beforeAll(async () => {
  bed = await actionTestBed('action-ab');
  workspace = bed.workspace;
  runnerTemp = path.join(workspace, 'runner-temp');
  mkdirSync(runnerTemp);

  // origin: main holds the base (delay 0 and a baseline of another machine); the pull request
  // raises the delay; GitHub's merge commit has main as its first parent.
  const elsewhere = aggregateTrials([
    makeRunResult({ environment: { cpuModel: 'A CPU this runner does not have' } }),
  ]);
  const baselineFile = path.join(workspace, 'quick.json');
  await writeBaseline(
    baselineFile,
    updateBaseline(null, elsewhere, { name: 'quick', commit: null, date: '2026-11-01T03:17:00Z' }),
  );
  const repo = pullRequestRepo(mkdtempSync(path.join(workspace, 'git-')), {
    base: { 'delay.txt': '0', 'baselines/quick.json': readFileSync(baselineFile, 'utf8') },
    head: { 'delay.txt': '250' },
    number: PR_NUMBER,
  });
  baseSha = repo.shas.base;
  mergeSha = repo.shas.merge;
  checkout = shallowCheckout(workspace, repo.originUrl, `refs/pull/${PR_NUMBER}/merge`);
  bed.github.pullHeads.set(PR_NUMBER, mergeSha);
});

afterAll(() => bed?.close());

describe('paired A/B in the bundled action', () => {
  it('measures the base on the runner, comments base vs head, and leaves nothing behind', async () => {
    const event = bed.pullRequestEvent(PR_NUMBER, mergeSha);
    const env = {
      ...runnerEnv({
        workspace: checkout,
        apiUrl: bed.github.url,
        eventName: 'pull_request',
        eventPath: event,
        sha: mergeSha,
        runId: '5150',
      }),
      RUNNER_TEMP: runnerTemp,
    };
    const stepsDir = path.join(workspace, 'steps');
    const main = await runStep({
      script: MAIN,
      workDir: stepsDir,
      inputs: inputs(),
      env,
      timeoutMs: 280_000,
    });
    const saved = JSON.parse(main.state.services ?? '[]') as { instance: string; pid?: number }[];
    const post = await runStep({
      script: POST,
      workDir: stepsDir,
      inputs: inputs(),
      state: main.state,
      env,
    });

    // 250 ms of processing on every event: a regression, confirmed, and the step fails.
    expect(main.exitCode, explain(main)).toBe(1);
    expect(main.outputs.verdict, explain(main)).toBe('regression');
    const comments = bed.github.commentsOn(PR_NUMBER);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith('<!-- ethhook-load-test:quick -->')).toBe(true);
    expect(body).toContain('## ❌ Load test `quick`: REGRESSION');
    expect(body).toMatch(
      /\| \*\*Latency p50\*\* \| [\d.]+ \| [\d.,]+ \| \+[\d,]+% \[90% CI \+[\d,]+%, \+[\d,]+%\] \| ❌ regression \|/,
    );
    expect(body).toContain(
      `vs base commit ${baseSha.slice(0, 7)} \\(first parent of the merge commit ${mergeSha.slice(0, 7)}\\)`,
    );
    expect(body).toContain(
      '- Why this reference: compare-to auto: the base commit, measured on this runner',
    );
    expect(body).toMatch(
      /\| round 1, base \| start [\d.]+ s, ready [\d.]+ s, seed [\d.]+ s, warmup [\d.]+ s, measure [\d.]+ s, stop [\d.]+ s \|/,
    );
    expect(main.summary).toContain('<!-- ethhook-load-test:quick -->');

    // Both sides ran, and post left nothing: no SUT process, no base worktree.
    expect(post.exitCode, explain(post)).toBe(0);
    expect(saved.map((entry) => entry.instance).sort()).toEqual(['base', 'head']);
    for (const entry of saved) expect(groupAlive(entry.pid as number)).toBe(false);
    expect(
      readdirSync(runnerTemp).filter((name) => name.startsWith('ethhook-load-test-base-')),
    ).toEqual([]);
    expect(
      git(checkout, 'worktree', 'list', '--porcelain')
        .split('\n')
        .filter((line) => line.startsWith('worktree ')),
    ).toHaveLength(1);
  });
});
