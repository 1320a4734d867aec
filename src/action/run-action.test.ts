import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBaseline, updateBaseline, writeBaseline } from '../compare/baseline.js';
import { baselineWithNights, syntheticSeries } from '../compare/drift-fixtures.js';
import {
  DEFAULT_FIXTURE_LATENCY,
  makeRunResult,
  type RunFixtureOptions,
} from '../compare/fixtures.js';
import { aggregateTrials } from '../compare/trials.js';
import type { RunOptions } from '../engine/run/types.js';
import { COMMENT_REQUEST_KIND, COMMENT_REQUEST_VERSION, Outputs } from './constants.js';
import type { ActionDependencies } from './dependencies.js';
import type { TrialRunner } from './trial-runner.js';
import { groupAlive } from '../services/process.js';
import { restoreService } from '../services/registry.js';
import { silentLogger } from '../engine/log.js';
import { readSavedServices } from './state.js';
import { ActionFailure } from './failure.js';
import type { RunContext } from './github/context.js';
import { InputError } from './inputs.js';
import type { CommentRequest } from './outputs.js';
import { runAction } from './run-action.js';
import { fakeCore, fakeGitHub, recordingExec, type FakeCore, type FakeGitHub } from './testing.js';
import { splitInputs } from '../settings/testing.js';

const HEAD = 'a'.repeat(40);

const MARKER = '<!-- ethhook-load-test:quick -->';
const HEADING = (outcome: string) =>
  new RegExp(`^${MARKER}\\n+## \\S+ Load test \`quick\`: ${outcome}`);

interface EngineCall {
  options: RunOptions & { trials: number };
}

/** Trials of `results`, as many as asked for. */
function fakeTrialRunner(
  results: RunFixtureOptions | Error,
  calls: EngineCall[] = [],
): TrialRunner {
  return {
    async runTrials(options) {
      calls.push({ options });
      await options.sut?.start();
      await options.sut?.waitReady();
      if (results instanceof Error) throw results;
      const measured = Array.from({ length: options.trials }, (_, index) =>
        makeRunResult({ ...results, runId: `run${index}` }),
      );
      return measured;
    },
  };
}

/**
 * Six nights of three trials each, a few percent apart, like the ones a nightly job commits:
 * the judge reads the spread between them.
 */
function nightsOf(night: RunFixtureOptions) {
  const latency = night.latency ?? DEFAULT_FIXTURE_LATENCY;
  let baseline = null;
  for (const [index, factor] of [1, 1.03, 0.98, 1.01, 0.97, 1.02].entries()) {
    const scaled = {
      ...night,
      latency: {
        p50Ms: latency.p50Ms * factor,
        p95Ms: latency.p95Ms * factor,
        p99Ms: latency.p99Ms * factor,
      },
    };
    baseline = updateBaseline(
      baseline,
      aggregateTrials(
        [0.99, 1, 1.01].map((trial) =>
          makeRunResult({
            ...scaled,
            latency: {
              p50Ms: scaled.latency.p50Ms * trial,
              p95Ms: scaled.latency.p95Ms * trial,
              p99Ms: scaled.latency.p99Ms * trial,
            },
          }),
        ),
      ),
      { name: 'quick', commit: null, date: `2025-01-0${index + 1}T00:00:00.000Z` },
    );
  }
  return baseline!;
}

interface Harness {
  workspace: string;
  core: FakeCore;
  github: FakeGitHub;
  deps: ActionDependencies;
  engineCalls: EngineCall[];
}

const PR_CONTEXT: RunContext = {
  eventName: 'pull_request',
  repo: { owner: 'ethhook', repo: 'app' },
  pullRequest: { number: 12, headSha: HEAD },
  triggeringHeadSha: null,
  sha: 'b'.repeat(40),
  runUrl: 'https://github.test/ethhook/app/actions/runs/1',
};

async function harness(
  inputs: Record<string, string>,
  options: {
    results?: RunFixtureOptions | Error;
    context?: RunContext;
    baseline?: RunFixtureOptions | null;
    exec?: ActionDependencies['exec'];
  } = {},
): Promise<Harness> {
  const workspace = mkdtempSync(path.join(tmpdir(), 'run-action-'));
  if (options.baseline !== null) {
    await writeBaseline(
      path.join(workspace, 'baselines', 'quick.json'),
      nightsOf(options.baseline ?? {}),
    );
  }
  // Settings that are no inputs of action.yml go to the project file, as a workflow's would.
  const split = splitInputs({ trials: '2', ...inputs });
  if (split.file) {
    writeFileSync(path.join(workspace, 'ethhook-load-test.json'), JSON.stringify(split.file));
  }
  const core = fakeCore(split.inputs);
  const github = fakeGitHub();
  const engineCalls: EngineCall[] = [];
  const deps: ActionDependencies = {
    core,
    exec: options.exec ?? recordingExec(),
    env: { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: path.join(workspace, 'temp') },
    fileExists: existsSync,
    context: options.context ?? PR_CONTEXT,
    github: () => github,
    trialRunner: fakeTrialRunner(options.results ?? {}, engineCalls),
    now: () => new Date('2025-02-01T03:00:00.000Z'),
  };
  return { workspace, core, github, deps, engineCalls };
}

async function failureOf(work: Promise<unknown>): Promise<ActionFailure> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(ActionFailure);
    return error as ActionFailure;
  }
  throw new Error('expected the action to fail');
}

describe('runAction, mode check', () => {
  it('passes: files, outputs, summary and one sticky comment', async () => {
    const { core, github, deps, engineCalls, workspace } = await harness({});
    await runAction(deps);

    const out = path.join(workspace, 'temp', 'ethhook-load-test');
    expect(core.outputs).toMatchObject({
      [Outputs.Verdict]: 'pass',
      [Outputs.Passed]: 'true',
      ['lost']: '0',
      [Outputs.ResultPath]: path.join(out, 'result.json'),
      [Outputs.ReportPath]: path.join(out, 'report.md'),
      [Outputs.HtmlReportPath]: path.join(out, 'report.html'),
      [Outputs.LogsPath]: path.join(out, 'services.log'),
      [Outputs.CommentUrl]: expect.stringMatching(/^https:\/\/github\.test\//),
    });
    expect(Number(core.outputs['p50-ms'])).toBeGreaterThan(0);
    expect(core.outputs[Outputs.BaselinePath]).toBeUndefined();
    expect(JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')).trialCount).toBe(2);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(HEADING('PASS'));
    expect(core.summary).toEqual([readFileSync(path.join(out, 'report.md'), 'utf8')]);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toMatch(
      /<h1><span class="verdict pass">PASS<\/span> Load test <code>quick<\/code><\/h1>/,
    );
    expect(html).toContain(
      '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="chart-spectrum"',
    );
    expect(github.comments.get(12)?.[0]?.body).toMatch(HEADING('PASS'));
    expect(core.annotations).toEqual([]);
    expect(readSavedServices(core)).toEqual([
      { mode: 'external', instance: 'sut', logsPath: path.join(out, 'services.log') },
    ]);

    expect(engineCalls).toHaveLength(1);
    expect(engineCalls[0]?.options).toMatchObject({
      trials: 2,
      scenario: 'quick',
      events: 1000,
      progress: 'lines',
    });
    expect(engineCalls[0]?.options.seedBeforeStart).toBe(false);

    const request = JSON.parse(
      readFileSync(path.join(out, 'comment.json'), 'utf8'),
    ) as CommentRequest;
    expect(request).toMatchObject({
      kind: COMMENT_REQUEST_KIND,
      version: COMMENT_REQUEST_VERSION,
      baselineName: 'quick',
      pullRequest: 12,
      headSha: HEAD,
    });
    expect(request.figures.verdict).toBe('pass');
  });

  it('a second run updates the same comment', async () => {
    const first = await harness({});
    await runAction(first.deps);
    await runAction(first.deps);
    expect(first.github.comments.get(12)).toHaveLength(1);
    expect(first.github.calls.filter((call) => call.startsWith('create'))).toHaveLength(1);
    expect(first.github.calls.filter((call) => call.startsWith('update'))).toHaveLength(1);
  });

  it('a regression fails the step with a titled annotation, after the comment and the outputs', async () => {
    const { core, github, deps } = await harness(
      {},
      { results: { latency: { p50Ms: 60, p95Ms: 150, p99Ms: 300 } } },
    );
    const failure = await failureOf(runAction(deps));
    expect(failure.title).toBe('Performance regression (baseline quick)');
    expect(failure.message).toMatch(/^Regression: /);
    expect(core.outputs[Outputs.Verdict]).toBe('regression');
    expect(core.outputs[Outputs.Passed]).toBe('false');
    expect(github.comments.get(12)?.[0]?.body).toMatch(HEADING('REGRESSION'));
    expect(core.summary).toHaveLength(1);
  });

  it('fail-on-regression: false warns with the title instead', async () => {
    const { core, deps } = await harness(
      { 'fail-on-regression': 'false' },
      { results: { latency: { p50Ms: 60, p95Ms: 150, p99Ms: 300 } } },
    );
    await runAction(deps);
    expect(core.annotations).toEqual([
      expect.objectContaining({
        level: 'warning',
        properties: { title: 'Performance regression (baseline quick)' },
      }),
    ]);
  });

  it('comment: on-regression posts nothing on a pass', async () => {
    const { core, github, deps } = await harness({ comment: 'on-regression' });
    await runAction(deps);
    expect(github.calls.some((call) => call.startsWith('create'))).toBe(false);
    expect(core.outputs[Outputs.CommentUrl]).toBeUndefined();
  });

  it('a 403 on the comment is a warning; the summary still has the report', async () => {
    const { core, github, deps } = await harness({});
    github.failWrites = 403;
    await runAction(deps);
    expect(core.summary[0]).toMatch(HEADING('PASS'));
    expect(core.annotations).toEqual([
      expect.objectContaining({
        level: 'warning',
        properties: { title: 'Load-test comment not posted' },
      }),
    ]);
    expect(core.outputs[Outputs.CommentUrl]).toBeUndefined();
  });

  it('no pull request (push, schedule): summary only', async () => {
    const { core, github, deps } = await harness(
      {},
      { context: { ...PR_CONTEXT, eventName: 'push', pullRequest: null } },
    );
    await runAction(deps);
    expect(github.calls).toEqual([]);
    expect(core.summary).toHaveLength(1);
    expect(core.lines).toContain('Not a pull request: the report is in the job summary only.');
  });

  it('an invalid run is inconclusive: a failed step by default, a warning when asked', async () => {
    const invalid = { valid: false };
    const strict = await harness({}, { results: invalid });
    const failure = await failureOf(runAction(strict.deps));
    expect(failure.title).toBe('Load test inconclusive (baseline quick)');
    expect(failure.message).toMatch(/^Inconclusive: 2 measurements invalid, counted neither way/);
    expect(strict.core.outputs[Outputs.Verdict]).toBe('inconclusive');
    expect(strict.core.outputs[Outputs.ExitCode]).toBe('2');

    const soft = await harness({ 'fail-on-inconclusive': 'false' }, { results: invalid });
    await runAction(soft.deps);
    expect(soft.core.annotations[0]).toMatchObject({
      level: 'warning',
      properties: { title: 'Load test inconclusive (baseline quick)' },
    });
  });

  it('bad input fails before anything starts', async () => {
    const { deps, engineCalls } = await harness({ rate: 'fast' });
    await expect(runAction(deps)).rejects.toBeInstanceOf(InputError);
    expect(engineCalls).toEqual([]);
  });

  it('a malformed baseline or an unwritable output-dir fails before anything starts', async () => {
    const corrupt = await harness({});
    writeFileSync(path.join(corrupt.workspace, 'baselines', 'quick.json'), '{"kind": ');
    const baselineError = await failureOf(runAction(corrupt.deps));
    expect(baselineError).toBeInstanceOf(InputError);
    expect(baselineError.message).toMatch(/^Invalid input baseline: .*quick\.json/);
    expect(corrupt.engineCalls).toEqual([]);

    const blocked = await harness({ 'output-dir': 'out' });
    writeFileSync(path.join(blocked.workspace, 'out'), 'a file, not a folder');
    const outputError = await failureOf(runAction(blocked.deps));
    expect(outputError.message).toBe(
      `Invalid input output-dir: "${path.join(blocked.workspace, 'out')}" is a file; expected a folder.`,
    );
    expect(blocked.engineCalls).toEqual([]);
  });

  it('masks the passwords of the connection URLs', async () => {
    const { core, deps } = await harness(
      {
        'redis-url': 'redis://:r3d1s@127.0.0.1:6379',
        'database-url': 'postgres://u:pw@127.0.0.1/db',
      },
      { results: new Error('could not reach postgres://u:pw@127.0.0.1/db') },
    );
    const failure = await failureOf(runAction(deps));
    expect(core.secrets).toEqual(['r3d1s', 'pw']);
    expect(failure.message).toBe('could not reach postgres://u:***@127.0.0.1/db');
    expect(failure.title).toBe('Load test did not complete');
  });

  it('masks a percent-encoded password both as written and decoded', async () => {
    const { core, deps } = await harness(
      { 'database-url': 'postgres://u:p%40ss@127.0.0.1/db' },
      {
        results: new Error(
          'could not reach postgres://u:p%40ss@127.0.0.1/db: password "p@ss" was rejected',
        ),
      },
    );
    const failure = await failureOf(runAction(deps));
    expect(core.secrets).toEqual(['p%40ss', 'p@ss']);
    expect(failure.message).toBe(
      'could not reach postgres://u:***@127.0.0.1/db: password "***" was rejected',
    );
  });
});

describe('runAction, services', () => {
  function composeDocker() {
    return recordingExec((call) => {
      const line = [call.program, ...call.args].join(' ');
      if (line === 'docker compose version --short') return { stdout: '2.29.7\n' };
      if (call.args.includes('config')) return { stdout: 'redis\nsut\n' };
      if (call.args.includes('ps') && call.args.includes('-q')) return { stdout: 'c1\n' };
      if (call.program === 'docker' && call.args[0] === 'inspect')
        return { stdout: 'sut|/p-sut-1|exited||1|c1\n' };
      if (call.args.includes('logs')) return { stdout: 'sut-1 | boom\n' };
      return undefined;
    });
  }

  it('compose: up before the run, a log snapshot after, the teardown left to post', async () => {
    const exec = composeDocker();
    const { core, deps, engineCalls, workspace } = await harness(
      { 'compose-file': 'compose.yml' },
      { exec },
    );
    writeFileSync(path.join(workspace, 'compose.yml'), 'services: {}\n');
    await runAction(deps);

    const lines = exec.lines();
    expect(lines[0]).toBe('docker compose version --short');
    expect(lines[2]).toMatch(/ build$/);
    expect(lines[3]).toMatch(/ up -d --wait --wait-timeout 120$/);
    // Against the fixture's nights the head is started afresh more than once (each start but the
    // last taken down); the last start's services are left to post.
    const ups = lines.filter((line) => / up -d /.test(line)).length;
    expect(lines.filter((line) => line.includes(' down '))).toHaveLength(ups - 1);
    const lastUp = lines.findLastIndex((line) => / up -d /.test(line));
    expect(lines.slice(lastUp).some((line) => line.includes(' down '))).toBe(false);
    expect(lines.at(-1)).toMatch(/ logs --no-color --timestamps$/);
    expect(engineCalls[0]?.options.receiver).toMatchObject({
      host: '0.0.0.0',
      publicUrl: 'http://host.docker.internal:{port}/webhook',
    });
    expect(readFileSync(core.outputs[Outputs.LogsPath] as string, 'utf8')).toContain(
      'sut-1 | boom',
    );
    expect(readSavedServices(core)).toMatchObject([{ mode: 'compose', instance: 'sut' }]);
  });

  it('compose: a failed run names the services that are not healthy', async () => {
    const { core, deps, workspace } = await harness(
      { 'compose-file': 'compose.yml' },
      {
        exec: composeDocker(),
        results: new Error('the consumer group message_processors was not ready within 120 s'),
      },
    );
    writeFileSync(path.join(workspace, 'compose.yml'), 'services: {}\n');
    const failure = await failureOf(runAction(deps));
    expect(failure.message).toContain(
      'the consumer group message_processors was not ready within 120 s',
    );
    expect(failure.message).toMatch(/Services not running or not healthy: sut: exited/);
    expect(core.summary[0]).toMatch(
      /^## ⚠️ Load test `quick`: did not complete \(Load test did not complete\)\n\n```text\nthe consumer group/,
    );
  });

  it('start-command: the engine starts the SUT (before seeding unless asked), its pid is saved for post', async () => {
    const { core, deps, engineCalls } = await harness({
      'start-command': 'echo up; sleep 30',
      'seed-before-start': 'true',
    });
    await runAction(deps);
    expect(engineCalls[0]?.options.seedBeforeStart).toBe(true);
    expect(engineCalls[0]?.options.sut?.exitedError()).toBeNull();
    const [saved] = readSavedServices(core) as { pid: number; logsPath: string }[];
    expect(saved).toMatchObject({ mode: 'command', command: 'echo up; sleep 30' });
    expect(saved?.logsPath).toBe(core.outputs[Outputs.LogsPath]);
    // main leaves it running for post, which ends its whole process group.
    expect(groupAlive(saved?.pid as number)).toBe(true);
    await restoreService(saved, { exec: recordingExec(), log: silentLogger, env: {} }).stop();
    expect(groupAlive(saved?.pid as number)).toBe(false);
  });
});

describe('runAction, mode baseline', () => {
  it('creates the baseline when absent, without failing', async () => {
    const { core, deps, workspace } = await harness(
      { mode: 'baseline' },
      { baseline: null, context: { ...PR_CONTEXT, pullRequest: null } },
    );
    await runAction(deps);
    const file = path.join(workspace, 'baselines', 'quick.json');
    expect(core.outputs[Outputs.BaselinePath]).toBe(file);
    const written = await readBaseline(file);
    expect(written).toMatchObject({
      name: 'quick',
      commit: 'b'.repeat(40),
      date: '2025-02-01T03:00:00.000Z',
      history: [],
    });
    expect(written.aggregate.trialCount).toBe(2);
    expect(core.summary[0]).toMatch(
      /^<!-- ethhook-load-test:quick -->\n\n## .*\n\n> Baseline mode: created `baselines\/quick\.json` from this run\.\n/,
    );
    expect(readFileSync(core.outputs[Outputs.HtmlReportPath]!, 'utf8')).toContain(
      '<p class="note">Baseline mode: created baselines/quick.json from this run.</p>',
    );
    expect(core.annotations).toEqual([]);
  });

  it('refreshes an existing baseline, keeping history, and never fails on a regression', async () => {
    const { core, deps, workspace } = await harness(
      { mode: 'baseline' },
      { results: { latency: { p50Ms: 60, p95Ms: 150, p99Ms: 300 } } },
    );
    await runAction(deps);
    const written = await readBaseline(path.join(workspace, 'baselines', 'quick.json'));
    expect(written.history).toHaveLength(6);
    expect(core.outputs[Outputs.Verdict]).toBe('regression');
    expect(core.annotations[0]).toMatchObject({ level: 'warning' });
  });

  it('refuses to make a baseline of an invalid or lossy run', async () => {
    const { core, deps, workspace } = await harness(
      { mode: 'baseline' },
      { baseline: null, results: { lost: 3 } },
    );
    const failure = await failureOf(runAction(deps));
    expect(failure.title).toBe('Baseline not refreshed');
    expect(failure.message).toContain('6 deliveries were lost'); // 3 in each of 2 trials
    expect(existsSync(path.join(workspace, 'baselines', 'quick.json'))).toBe(false);
    expect(core.outputs[Outputs.BaselinePath]).toBeUndefined();
    // Reported before failing: the summary says why, the outputs carry the figures.
    expect(core.summary[0]).toMatch(
      /\n> Baseline mode: the baseline baselines\/quick\.json was not refreshed: 6 deliveries were lost/,
    );
    expect(core.outputs['lost']).toBe('6');
  });

  it('refuses to make a baseline of a run with injected faults', async () => {
    const { deps, workspace } = await harness(
      { mode: 'baseline' },
      {
        baseline: null,
        results: { config: { faults: { failureRate: 0, failureStatus: 503, delayMs: 40 } } },
      },
    );
    const failure = await failureOf(runAction(deps));
    expect(failure.title).toBe('Baseline not refreshed');
    expect(failure.message).toContain(
      'the run injected faults on purpose (every reply delayed 40 ms)',
    );
    expect(existsSync(path.join(workspace, 'baselines', 'quick.json'))).toBe(false);
  });
});

describe('runAction, drift', () => {
  const SCHEDULE: RunContext = { ...PR_CONTEXT, eventName: 'schedule', pullRequest: null };
  /** 30 nights at 8 ms, then 9 at the fixture run's p50 (12 ms): the run makes the 10th. */
  async function shiftedHistory({ workspace, deps }: Harness): Promise<void> {
    // The run comes the night after the history's last night (drift-fixtures' dates).
    deps.now = () => new Date('2026-02-09T02:00:00.000Z');
    const current = aggregateTrials([makeRunResult()]).metrics.p50;
    const p50 = [
      ...syntheticSeries({ nights: 30, level: 8, noise: 0.03, seed: 1 }),
      ...syntheticSeries({ nights: 9, level: current, noise: 0.03, seed: 2 }),
    ];
    await writeBaseline(
      path.join(workspace, 'baselines', 'quick.json'),
      baselineWithNights({ p50 }, 'quick'),
    );
  }
  const issueCalls = (github: FakeGitHub) =>
    github.calls.filter((call) => /^(create|update) issue/.test(call));

  it('baseline mode: a recent shift opens one issue, and the next night updates it', async () => {
    const run = await harness({ mode: 'baseline' }, { context: SCHEDULE });
    const { core, github, deps } = run;
    await shiftedHistory(run);
    await runAction(deps);
    expect(issueCalls(github)).toEqual(['create issue']);
    const [issue] = github.issues;
    expect(issue!.title).toMatch(/^Performance drift in baseline quick: Latency p50 \+\d\d%$/);
    expect(issue!.body).toMatch(
      /^<!-- ethhook-load-test:drift:quick -->\n<!-- ethhook-load-test:shifts p50\/worse\/2026-01-31T02:00:00\.000Z -->\n## Performance drift in baseline `quick`/,
    );
    expect(issue!.body).toContain('| Latency p50 | +');
    expect(issue!.body).toContain('https://github.test/ethhook/app/actions/runs/1');
    // The job summary shows the trend, its shift included.
    expect(core.summary[0]).toMatch(/\n### Nightly trend of `quick`\n/);
    expect(core.summary[0]).toMatch(/\| Latency p50 \| `[▁▂▃▄▅▆▇█]{40}` \| [\d.]+ ms \| 1 \|/);

    await runAction(deps);
    expect(issueCalls(github)).toEqual(['create issue', 'update issue #1']);
    expect(github.issues).toHaveLength(1);
    expect(core.annotations.filter((a) => /drift/i.test(a.message))).toEqual([]);
  });

  it('baseline mode: drift-issue false, or no recent shift, opens none; the summary still has the trend', async () => {
    const off = await harness({ mode: 'baseline', 'drift-issue': 'false' }, { context: SCHEDULE });
    await shiftedHistory(off);
    await runAction(off.deps);
    expect(issueCalls(off.github)).toEqual([]);
    expect(off.core.lines).toContain(
      '1 recent shift(s) in the nightly figures; drift-issue is false, so no issue.',
    );
    expect(off.core.summary[0]).toContain('### Nightly trend of `quick`');

    const flat = await harness({ mode: 'baseline' }, { context: SCHEDULE });
    await runAction(flat.deps);
    expect(flat.github.calls).toEqual([]);
    expect(flat.core.summary[0]).toContain('### Nightly trend of `quick`');
  });

  it('baseline mode: a 403 on the issue is a warning naming the permission, the baseline is written', async () => {
    const run = await harness({ mode: 'baseline' }, { context: SCHEDULE });
    const { core, github, deps, workspace } = run;
    await shiftedHistory(run);
    github.failWrites = 403;
    await runAction(deps);
    expect(core.annotations).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('`permissions: issues: write`'),
      }),
    ]);
    expect(
      (await readBaseline(path.join(workspace, 'baselines', 'quick.json'))).history,
    ).toHaveLength(39);
  });

  it('check mode: the report says when the baseline itself shifted recently', async () => {
    const run = await harness({});
    const { core, github, deps } = run;
    await shiftedHistory(run);
    await runAction(deps);
    expect(core.summary[0]).toMatch(
      /^<!-- ethhook-load-test:quick -->\n\n## \S+ Load test `quick`: \w+\n\n> Baseline drift: the baseline itself shifted recently: Latency p50 \+\d\d% \(worse\) 9 nights ago, between 001dccc \(2026-01-30\) \.\. 001eccc \(2026-01-31\)\. A change this pull request did not make may show in the comparison\.\n/,
    );
    expect(issueCalls(github)).toEqual([]);
    // The page says it too, and charts the nightly trend with the shift marked.
    const html = readFileSync(core.outputs[Outputs.HtmlReportPath]!, 'utf8');
    expect(html).toMatch(
      /<p class="note">Baseline drift: the baseline itself shifted recently: Latency p50 \+\d\d% \(worse\) 9 nights ago, between 001dccc \(2026-01-30\) \.\. 001eccc \(2026-01-31\)\./,
    );
    expect(html).toMatch(/<g class="marker-group" data-at="\d+">/);
  });
});

describe('runAction, mode comment', () => {
  async function commentHarness(
    request: Partial<CommentRequest>,
    context: Partial<RunContext> = {},
  ) {
    const h = await harness(
      { mode: 'comment', 'comment-file': 'artifact/comment.json' },
      {
        context: {
          ...PR_CONTEXT,
          eventName: 'workflow_run',
          pullRequest: null,
          triggeringHeadSha: HEAD,
          ...context,
        },
      },
    );
    mkdirSync(path.join(h.workspace, 'artifact'));
    const full: CommentRequest = {
      kind: COMMENT_REQUEST_KIND,
      version: COMMENT_REQUEST_VERSION,
      baselineName: 'quick',
      pullRequest: 12,
      headSha: HEAD,
      figures: {
        verdict: 'regression',
        metrics: { p50: 60, p95: 150, p99: 300, throughput: 99, lost: 0 },
      },
      markdown: '## REGRESSION of quick',
      ...request,
    };
    writeFileSync(path.join(h.workspace, 'artifact', 'comment.json'), JSON.stringify(full));
    h.github.pullHeads.set(12, HEAD);
    return h;
  }

  it('posts the uploaded report on the pull request the triggering run built', async () => {
    const { core, github, deps, engineCalls } = await commentHarness({});
    await runAction(deps);
    expect(engineCalls).toEqual([]);
    expect(github.calls).toEqual(['get pull #12', 'list #12 page 1', 'create #12']);
    expect(github.comments.get(12)?.[0]?.body).toBe(`${MARKER}\n## REGRESSION of quick`);
    expect(core.outputs).toMatchObject({
      [Outputs.Verdict]: 'regression',
      [Outputs.Passed]: 'false',
      ['p50-ms']: '60',
    });
    expect(core.outputs[Outputs.CommentUrl]).toBeDefined();
    expect(core.summary).toEqual(['## REGRESSION of quick']);
  });

  it('refuses a file that names another pull request', async () => {
    const { github, deps } = await commentHarness({ pullRequest: 13 });
    github.pullHeads.set(13, 'c'.repeat(40));
    const failure = await failureOf(runAction(deps));
    expect(failure.message).toMatch(
      /^Refusing to comment: .* pull request #13, whose head is c{40}, but the run that produced it built a{40}\.$/,
    );
    expect(github.calls).toEqual(['get pull #13']);
  });

  it('refuses when the event names no commit to check the pull request against', async () => {
    for (const context of [
      { eventName: 'push', triggeringHeadSha: null },
      { eventName: 'workflow_run', triggeringHeadSha: '' },
      {
        eventName: 'pull_request',
        triggeringHeadSha: null,
        pullRequest: { number: 12, headSha: '' },
      },
    ]) {
      const { core, github, deps, workspace } = await commentHarness({}, context);
      const failure = await failureOf(runAction(deps));
      expect(failure.message).toBe(
        `Refusing to comment: event ${context.eventName} carries no head commit to check pull request #12 (named by ${path.join(workspace, 'artifact', 'comment.json')}) against. Run mode comment in a job triggered by workflow_run, whose event names the commit the first stage built.`,
      );
      expect(failure.title).toBe('Comment refused');
      expect(github.calls).toEqual([]);
      expect(github.comments.size).toBe(0);
      expect(core.annotations.filter((item) => item.level === 'warning')).toEqual([]);
    }
  });

  it('rejects a malformed file, naming the input', async () => {
    const { deps } = await commentHarness({
      kind: 'something-else' as typeof COMMENT_REQUEST_KIND,
    });
    const failure = await failureOf(runAction(deps));
    expect(failure.message).toMatch(
      /^Invalid input comment-file: .*comment\.json is not a comment request/,
    );
  });

  it('rejects figures that are not the headline metrics, naming the field', async () => {
    const { deps } = await commentHarness({
      figures: { verdict: 'pass', metrics: { p50: 60, p95: 150, p99: '300' as unknown as number } },
    });
    const failure = await failureOf(runAction(deps));
    expect(failure.message).toMatch(
      /comment\.json is not valid: figures\.metrics\.p99 must be a number, got "300"; figures\.metrics\.throughput is missing/,
    );
  });

  it('a first stage without a pull request leaves nothing to do', async () => {
    const { github, deps, core } = await commentHarness({ pullRequest: null });
    await runAction(deps);
    expect(github.calls).toEqual([]);
    expect(core.summary).toHaveLength(1);
  });
});
