import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateBaseline, writeBaseline } from '../../src/compare/baseline.js';
import { makeRunResult } from '../../src/compare/fixtures.js';
import { aggregateTrials } from '../../src/compare/trials.js';
import { streamKey } from '../../src/stack/contracts.js';
import { groupAlive } from '../../src/services/process.js';
import {
  createTestSchema,
  TEST_REDIS_URL,
  uniqueSuffix,
  type TestSchema,
} from '../../src/stack/test-support.js';
import { startFakeGitHub, type FakeGitHubServer } from './fake-github.js';
import { runnerEnv, runStep, type StepRun } from './runner.js';

/**
 * Paired A/B as a runner runs it: a real git repository whose pull request changes one setting
 * the start command reads (the reference pipeline's processing delay), checked out the way
 * actions/checkout does (the merge commit, depth 1). The committed baseline was measured on
 * another machine, so `compare-to: auto` measures the base commit on this runner instead.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(root, 'dist', 'index.js');
const POST = path.join(root, 'dist', 'post.js');
const PR_NUMBER = 7;

const chainId = 1_700_000_000 + Math.floor(Math.random() * 99_999_999);
const deliveryQueue = `delivery_queue:action-ab:${uniqueSuffix()}`;
let schema: TestSchema;
let github: FakeGitHubServer;
let workspace: string;
let checkout: string;
let runnerTemp: string;
let mergeSha: string;
let baseSha: string;

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  }).trim();

/** The start command of both commits: only delay.txt differs between them. */
function startCommand(): string {
  const flags = [
    '--role all',
    `--redis-url '${TEST_REDIS_URL}'`,
    `--database-url '${schema.url}'`,
    '--apply-schema',
    `--chain-ids ${chainId}`,
    `--delivery-queue '${deliveryQueue}'`,
    '--health-host 127.0.0.1',
    '--processor-health-port 0',
    '--delivery-health-port 0',
    '--block-ms 200',
    '--processing-delay-ms "$(cat delay.txt)"',
  ];
  return `exec node ${path.join(root, 'bin', 'ethhook-load-test.js')} reference ${flags.join(' ')}`;
}

function inputs(): Record<string, string> {
  return {
    mode: 'check',
    scenario: 'quick',
    events: '400',
    rate: '200',
    concurrency: '2',
    'warmup-events': '200',
    rounds: '2',
    'chain-id': String(chainId),
    'start-command': startCommand(),
    'redis-url': TEST_REDIS_URL,
    'database-url': schema.url,
    'apply-schema': 'true',
    'ready-timeout': '30',
    'drain-timeout': '5',
    baseline: 'quick',
    comment: 'always',
    'github-token': 'ghs_fake_token_for_tests',
    'working-directory': '.',
    'output-dir': path.join(workspace, 'out'),
  };
}

function explain(run: StepRun): string {
  return `exit ${run.exitCode}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

beforeAll(async () => {
  expect(existsSync(MAIN), 'dist/ is missing: run `npm run bundle`').toBe(true);
  schema = await createTestSchema('action_ab');
  github = await startFakeGitHub();
  workspace = mkdtempSync(path.join(tmpdir(), 'action-ab-'));
  runnerTemp = path.join(workspace, 'runner-temp');
  mkdirSync(runnerTemp);

  // origin: main holds the base (delay 0 and a baseline of another machine); the pull request
  // raises the delay; GitHub's merge commit has main as its first parent.
  const origin = path.join(workspace, 'origin.git');
  git(workspace, 'init', '-q', '--bare', origin);
  const work = path.join(workspace, 'work');
  git(workspace, 'init', '-q', '-b', 'main', work);
  writeFileSync(path.join(work, 'delay.txt'), '0');
  mkdirSync(path.join(work, 'baselines'));
  const elsewhere = aggregateTrials([
    makeRunResult({ environment: { cpuModel: 'A CPU this runner does not have' } }),
  ]);
  await writeBaseline(
    path.join(work, 'baselines', 'quick.json'),
    updateBaseline(null, elsewhere, { name: 'quick', commit: null, date: '2026-11-01T03:17:00Z' }),
  );
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'base');
  baseSha = git(work, 'rev-parse', 'HEAD');
  git(work, 'checkout', '-q', '-b', 'feature');
  writeFileSync(path.join(work, 'delay.txt'), '250');
  git(work, 'commit', '-q', '-am', 'slower processing');
  git(work, 'checkout', '-q', 'main');
  git(work, 'merge', '-q', '--no-ff', '-m', 'Merge feature into main', 'feature');
  mergeSha = git(work, 'rev-parse', 'HEAD');
  git(work, 'push', '-q', `file://${origin}`, `${baseSha}:refs/heads/main`);
  git(work, 'push', '-q', `file://${origin}`, `${mergeSha}:refs/pull/${PR_NUMBER}/merge`);

  checkout = path.join(workspace, 'checkout');
  mkdirSync(checkout);
  git(checkout, 'init', '-q');
  git(checkout, 'remote', 'add', 'origin', `file://${origin}`);
  git(checkout, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', `refs/pull/${PR_NUMBER}/merge`);
  git(checkout, 'checkout', '-q', '--detach', 'FETCH_HEAD');
  github.pullHeads.set(PR_NUMBER, mergeSha);
});

afterAll(async () => {
  await github?.close();
  const redis = new Redis(TEST_REDIS_URL);
  await redis.del(streamKey(chainId), deliveryQueue).catch(() => undefined);
  redis.disconnect();
  await schema?.drop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('paired A/B in the bundled action', () => {
  it('measures the base on the runner, comments base vs head, and leaves nothing behind', async () => {
    const event = path.join(workspace, 'pull_request.json');
    writeFileSync(
      event,
      JSON.stringify({
        action: 'synchronize',
        number: PR_NUMBER,
        pull_request: { number: PR_NUMBER, head: { sha: mergeSha, ref: 'feature' } },
      }),
    );
    const env = {
      ...runnerEnv({
        workspace: checkout,
        apiUrl: github.url,
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
    const comments = github.commentsOn(PR_NUMBER);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith('<!-- ethhook-load-test:quick -->')).toBe(true);
    expect(body).toContain('## ❌ Load test `quick`: REGRESSION');
    expect(body).toMatch(
      /\| \*\*Latency p50\*\* \| [\d.]+ \| [\d.,]+ \| \+[\d,]+% \[95% CI \+[\d,]+%, \+[\d,]+%\] \| ❌ regression \|/,
    );
    expect(body).toContain(
      `**vs its base** (base commit ${baseSha.slice(0, 7)} (first parent of the merge commit ${mergeSha.slice(0, 7)}))`,
    );
    expect(body).toContain(
      'compare-to auto: the committed baseline was measured on another machine',
    );
    expect(body).toContain(
      '- vs committed baseline: not comparable: measured on another machine: cpuModel (baseline A CPU this runner does not have',
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
