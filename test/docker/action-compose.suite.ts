// The bundled action in compose mode against the real Docker engine, run the way a GitHub runner
// runs it (test/action/runner.ts: INPUT_* variables, the file commands, a fake GitHub API):
// `node dist/index.js` brings test/docker/compose.yml up (Redis, PostgreSQL and the reference
// pipeline's processor and delivery, all on the host network), waits, seeds, loads, reports;
// `node dist/post.js` collects the containers' logs and runs `down -v`. Then the faults: a
// service that never becomes healthy, one stuck in "starting", main killed mid-run, a compose
// file that is not YAML.
//
// Skipped, with the reason in its title, when `docker info` fails (CI runs
// scripts/docker-engine.sh first). The pipeline runs the repository's dist/cli, mounted read-only:
// dist/ must be built (`npm run bundle`; CI checks that it matches src/).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateBaseline, writeBaseline } from '../../src/compare/baseline.js';
import { makeRunResult } from '../../src/compare/fixtures.js';
import { aggregateTrials } from '../../src/compare/trials.js';
import { splitInputs } from '../../src/settings/testing.js';
import { startFakeGitHub, type FakeGitHubServer } from '../action/fake-github.js';
import { MAIN, POST } from '../action/test-bed.js';
import {
  parseFileCommands,
  runnerEnv,
  runStep,
  savedService,
  type StepRun,
} from '../action/runner.js';
import { REPO_ROOT } from '../../src/stack/test-support.js';
import { expectPhasesInOrder } from '../e2e/helpers.js';
import { missingPrerequisite } from '../setup/prerequisites.js';
import { dockerSuitePrerequisites, servicePort } from './engine-check.js';

/** A runner no test machine is: 96 cores of a CPU family that does not exist. */
const OTHER_MACHINE = { cpuModel: 'Fixture Test CPU 9000', cpuCores: 96 };

const repo = REPO_ROOT;
const COMPOSE_FILE = 'test/docker/compose.yml';
const PR_NUMBER = 7;
const PROJECT_LABEL = 'com.docker.compose.project';
/** GITHUB_RUN_ID of this file's runs: every project the action names starts with PROJECT_PREFIX. */
const RUN_ID = String(100_000 + Math.floor(Math.random() * 900_000));
const PROJECT_PREFIX = `ethhook-load-test-${RUN_ID}-1-`;

/** Why the suite cannot run here, or undefined when it can. Decided once, synchronously. */
function run(cmd: string, args: string[], timeoutMs = 60_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Containers, networks and volumes that carry the project's label: all '' once it is gone. */
async function leftovers(project: string) {
  const filter = ['--filter', `label=${PROJECT_LABEL}=${project}`, '-q'];
  const list = async (kind: string[]) => (await run('docker', [...kind, ...filter])).stdout.trim();
  return {
    containers: await list(['ps', '-a']),
    networks: await list(['network', 'ls']),
    volumes: await list(['volume', 'ls']),
  };
}

const NOTHING_LEFT = { containers: '', networks: '', volumes: '' };

/** Projects of this file's runs that still have a container or volume (the fallback's input). */
async function projectsLeft(): Promise<string[]> {
  const format = [
    '--format',
    `{{.Label "${PROJECT_LABEL}"}}`,
    '--filter',
    `label=${PROJECT_LABEL}`,
  ];
  const containers = await run('docker', ['ps', '-a', ...format]);
  const volumes = await run('docker', ['volume', 'ls', ...format]);
  const names = `${containers.stdout}\n${volumes.stdout}`.split('\n');
  return [...new Set(names.filter((name) => name.startsWith(PROJECT_PREFIX)))];
}

/** The test's own teardown, by label: whatever the action left, no compose file needed. */
async function removeProject(project: string): Promise<void> {
  const { containers, networks, volumes } = await leftovers(project);
  const ids = (text: string) => text.split('\n').filter(Boolean);
  if (containers) await run('docker', ['rm', '-f', '-v', ...ids(containers)]);
  if (networks) await run('docker', ['network', 'rm', ...ids(networks)]);
  if (volumes) await run('docker', ['volume', 'rm', '-f', ...ids(volumes)]);
}

function explain(step: StepRun | { exitCode: number | null; stdout: string; stderr: string }) {
  return `exit ${step.exitCode}\n--- stdout\n${step.stdout}\n--- stderr\n${step.stderr}`;
}

function errorsOf(step: StepRun) {
  return step.annotations.filter((annotation) => annotation.level === 'error');
}

/** The text of a `::group::<title>` … `::endgroup::` block of a step's stdout. */
function groupText(stdout: string, title: RegExp): string | undefined {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('::group::') && title.test(line));
  if (start < 0) return undefined;
  const end = lines.indexOf('::endgroup::', start);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

const { skipReason } = dockerSuitePrerequisites();
const skipped = missingPrerequisite('test/docker/action-compose.suite.ts', skipReason);

describe.skipIf(skipped)(
  `the bundled action in compose mode on a real Docker engine${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let github: FakeGitHubServer;
    let workspace: string;
    let stepsDir: string;
    let pullRequestEvent: string;
    let pushEvent: string;
    let baselineFile: string;

    /** A stack of its own: free ports on the host network, a chain id of its own. */
    async function stack() {
      const ports = {
        redis: await servicePort(),
        pg: await servicePort(),
        processor: await servicePort(),
        delivery: await servicePort(),
      };
      const chainId = String(1_900_000_000 + Math.floor(Math.random() * 99_999_999));
      return {
        ports,
        chainId,
        env: {
          LT_REDIS_PORT: String(ports.redis),
          LT_PG_PORT: String(ports.pg),
          LT_PROCESSOR_HEALTH_PORT: String(ports.processor),
          LT_DELIVERY_HEALTH_PORT: String(ports.delivery),
          LT_CHAIN_ID: chainId,
          LT_APP_DIR: repo,
          LT_UID: String(process.getuid?.() ?? 1000),
          LT_GID: String(process.getgid?.() ?? 1000),
        },
        inputs: {
          'chain-id': chainId,
          'redis-url': `redis://127.0.0.1:${ports.redis}`,
          'database-url': `postgres://postgres@127.0.0.1:${ports.pg}/postgres`,
        },
      };
    }
    type Stack = Awaited<ReturnType<typeof stack>>;

    function inputs(target: Stack, overrides: Record<string, string> = {}): Record<string, string> {
      return {
        mode: 'check',
        scenario: 'quick',
        // A light load: the subject is compose, not the pipeline's speed, and the machine is shared.
        events: '300',
        rate: '100',
        concurrency: '2',
        trials: '1',
        'warmup-events': '50',
        'compose-file': COMPOSE_FILE,
        // The processor creates the tables before its /ready answers; with compose v1 (no
        // --wait) the action's own wait for healthy containers is what makes seeding safe.
        'apply-schema': 'false',
        'ready-timeout': '60',
        'drain-timeout': '5',
        // Host networking: the containers reach the runner's loopback as host.docker.internal.
        'receiver-host': '127.0.0.1',
        'receiver-port': '0',
        baseline: baselineFile,
        tolerance: '5x',
        'fail-on-regression': 'false',
        'fail-on-inconclusive': 'false',
        comment: 'always',
        'github-token': 'ghs_fake_token_for_tests',
        'working-directory': repo,
        'output-dir': path.join(workspace, 'out', randomBytes(3).toString('hex')),
        ...target.inputs,
        ...overrides,
      };
    }

    function env(target: Stack, eventName: 'pull_request' | 'push'): NodeJS.ProcessEnv {
      return {
        ...runnerEnv({
          workspace,
          apiUrl: github.url,
          eventName,
          eventPath: eventName === 'pull_request' ? pullRequestEvent : pushEvent,
          sha: 'e'.repeat(40),
          runId: RUN_ID,
        }),
        ...target.env,
      };
    }

    async function main(
      target: Stack,
      stepInputs: Record<string, string>,
      { event = 'push' as 'push' | 'pull_request', timeoutMs = 240_000 } = {},
    ) {
      const step = await runStep({
        script: MAIN,
        workDir: stepsDir,
        inputs: stepInputs,
        env: env(target, event),
        timeoutMs,
      });
      return step;
    }

    function post(target: Stack, stepInputs: Record<string, string>, state: StepRun['state']) {
      return runStep({
        script: POST,
        workDir: stepsDir,
        inputs: stepInputs,
        state,
        env: env(target, 'push'),
        timeoutMs: 120_000,
      });
    }

    /** post ran, and the project is gone: no container, network or volume, no override file. */
    async function expectTornDown(postStep: StepRun, state: StepRun['state']) {
      expect(postStep.exitCode, explain(postStep)).toBe(0);
      expect(errorsOf(postStep), explain(postStep)).toEqual([]);
      const project = savedService(state).project as string;
      expect(postStep.stdout).toContain(
        `::group::Stopping the services (compose project ${project})`,
      );
      expect(await leftovers(project)).toEqual(NOTHING_LEFT);
      expect(existsSync(savedService(state).overrideFile as string)).toBe(false);
    }

    beforeAll(async () => {
      expect(existsSync(MAIN), 'dist/ is missing: run `npm run bundle`').toBe(true);
      expect(existsSync(path.join(repo, 'dist', 'cli', 'index.js'))).toBe(true);
      const image = await run('bash', [path.join(repo, 'scripts', 'docker-base-image.sh')]);
      expect(image.code, image.stderr + image.stdout).toBe(0);

      github = await startFakeGitHub();
      github.pullHeads.set(PR_NUMBER, 'c0ffee'.padEnd(40, '0'));
      workspace = mkdtempSync(path.join(tmpdir(), 'action-compose-'));
      stepsDir = path.join(workspace, 'runner-steps');
      // A baseline to check against, from fixtures: check mode needs one, and a run of this
      // machine in baseline mode would be refused whenever it is too busy to hold the rate.
      baselineFile = path.join(workspace, 'baselines', 'compose.json');
      mkdirSync(path.dirname(baselineFile));
      await writeBaseline(
        baselineFile,
        // Measured on a machine of another kind by construction, so the verdict is known.
        updateBaseline(null, aggregateTrials([makeRunResult({ environment: OTHER_MACHINE })]), {
          name: 'compose',
          commit: null,
          date: new Date().toISOString(),
        }),
      );
      pullRequestEvent = path.join(workspace, 'pull_request.json');
      writeFileSync(
        pullRequestEvent,
        JSON.stringify({
          action: 'synchronize',
          number: PR_NUMBER,
          pull_request: { number: PR_NUMBER, head: { sha: 'c0ffee'.padEnd(40, '0'), ref: 'f' } },
        }),
      );
      pushEvent = path.join(workspace, 'push.json');
      writeFileSync(pushEvent, JSON.stringify({ ref: 'refs/heads/main' }));
    }, 60_000);

    afterAll(async () => {
      for (const project of await projectsLeft()) await removeProject(project);
      await github?.close();
      if (workspace) rmSync(workspace, { recursive: true, force: true });
    }, 120_000);

    it('check on a pull request: up, ready, seed, load, report; post collects the logs and leaves nothing', async () => {
      const target = await stack();
      const stepInputs = inputs(target);
      const step = await main(target, stepInputs, { event: 'pull_request' });
      expect(step.exitCode, explain(step)).toBe(0);
      const project = savedService(step.state).project as string;
      expect(project).toMatch(new RegExp(`^${PROJECT_PREFIX}[0-9a-f]{6}$`));

      // The phases, in order, in the main step's log.
      expectPhasesInOrder(
        step.stdout,
        [
          `::group::Starting 4 services (compose project ${project})`,
          '::group::Waiting for Redis and PostgreSQL',
          '::group::Waiting for the SUT',
          '::group::Seeding webhook endpoints',
          '::group::Warm-up: 50 events at most, until latency settles (not measured)',
          '::group::Measured run',
        ],
        explain(step),
      );
      expect(step.stdout).toContain(
        `Consumer group is on events:${target.chainId} and a consumer reads it`,
      );
      // Compose v1 has no --wait and must never get it (it would print help and start nothing).
      expect(step.stdout).toMatch(/docker-compose .* up -d/);
      expect(step.stdout).not.toMatch(/docker-compose .* up -d.* --wait/);

      // The report: outputs, job summary, the PR comment. The fixture baseline comes from
      // another kind of machine: the report says the runner differs (the step is set not to fail
      // on the verdict; the subject here is compose, not the comparison).
      expect(step.outputs.lost).toBe('0');
      expect(['pass', 'regression', 'inconclusive']).toContain(step.outputs.verdict);
      expect(step.summary).toMatch(/- Compared: .* vs the committed baseline /);
      expect(step.summary).toContain('<summary>Runner ⚠️ differs from the reference</summary>');
      for (const key of ['p50-ms', 'p95-ms', 'p99-ms', 'throughput'])
        expect(Number(step.outputs[key]), key).toBeGreaterThan(0);
      for (const key of ['result-path', 'report-path', 'logs-path'])
        expect(existsSync(step.outputs[key] as string), key).toBe(true);
      expect(step.summary).toContain('<!-- ethhook-load-test:compose -->');
      expect(step.summary).toMatch(/Load test `compose`: INCONCLUSIVE/);
      expect(github.commentsOn(PR_NUMBER)).toHaveLength(1);
      expect(step.outputs['comment-url']).toMatch(/#issuecomment-\d+$/);

      // main leaves the stack to post: all four services still run.
      const running = await run('docker', [
        'ps',
        '--filter',
        `label=${PROJECT_LABEL}=${project}`,
        '--format',
        '{{.Label "com.docker.compose.service"}}',
      ]);
      expect(running.stdout.trim().split('\n').sort()).toEqual([
        'delivery',
        'postgres',
        'processor',
        'redis',
      ]);

      const postStep = await post(target, stepInputs, step.state);
      await expectTornDown(postStep, step.state);
      const logsGroup = groupText(postStep.stdout, /Service logs \(compose project /);
      expect(logsGroup, explain(postStep)).toBeDefined();
      const logsFile = readFileSync(step.outputs['logs-path'] as string, 'utf8');
      for (const text of [logsGroup as string, logsFile]) {
        expect(text).toContain('database system is ready to accept connections');
        expect(text).toMatch(/processor_1 +\| .*processor: reading events:/);
        expect(text).toMatch(/delivery_1 +\| .*delivery: 50 workers/);
        expect(text).toMatch(/redis_1 +\| .*Ready to accept connections/);
      }
    }, 240_000);

    it('a dependency that never becomes healthy: an error naming it, its logs in post, nothing left', async () => {
      const target = await stack();
      const stepInputs = inputs(target, {
        'compose-file': `${COMPOSE_FILE}\ntest/docker/faults/postgres-unhealthy.yml`,
      });
      const step = await main(target, stepInputs);
      expect(step.exitCode, explain(step)).toBe(1);
      const errors = errorsOf(step);
      expect(errors, explain(step)).toHaveLength(1);
      const message = errors[0]?.message ?? '';
      expect(message).toMatch(/postgres: unhealthy/);
      // compose v1 names the unhealthy container by its id only; the message adds the service.
      if (message.includes('Container "'))
        expect(message).toMatch(/Container "[0-9a-f]{12}" \(service postgres\) is unhealthy/);
      expect(step.stdout).not.toContain('::group::Seeding webhook endpoints');

      const postStep = await post(target, stepInputs, step.state);
      const logsGroup = groupText(postStep.stdout, /Service logs \(compose project /) ?? '';
      expect(logsGroup, explain(postStep)).toContain(
        'database system is ready to accept connections',
      );
      // The containers' table (docker inspect by the project's label): the database's state.
      expect(logsGroup).toMatch(
        /^postgres {2}\S+postgres_1 {2}(exited|running \(unhealthy\)) {2}exit \d+$/m,
      );
      await expectTornDown(postStep, step.state);
    }, 180_000);

    it('a dependency stuck in "starting": ready-timeout bounds compose v1 `up`, the error names it', async () => {
      const target = await stack();
      const stepInputs = inputs(target, {
        'compose-file': `${COMPOSE_FILE}\ntest/docker/faults/postgres-stuck-starting.yml`,
        'ready-timeout': '6',
      });
      const started = Date.now();
      const step = await main(target, stepInputs, { timeoutMs: 60_000 });
      const tookMs = Date.now() - started;
      expect(step.exitCode, explain(step)).toBe(1);
      expect(tookMs, 'main is bounded by ready-timeout').toBeLessThan(40_000);
      const errors = errorsOf(step);
      expect(errors, explain(step)).toHaveLength(1);
      expect(errors[0]?.message).toMatch(/postgres: starting/);
      expect(errors[0]?.message).toMatch(/ready-timeout/);

      const postStep = await post(target, stepInputs, step.state);
      await expectTornDown(postStep, step.state);
    }, 180_000);

    it('main killed mid-run: post still takes everything down', async () => {
      const target = await stack();
      // Long enough that the kill lands while the load runs.
      const stepInputs = inputs(target, { events: '3000', 'warmup-events': '0' });
      const dir = mkdtempSync(path.join(workspace, 'killed-'));
      const stateFile = path.join(dir, 'state');
      for (const file of ['output', 'state', 'summary']) writeFileSync(path.join(dir, file), '');
      const stepEnv: NodeJS.ProcessEnv = {
        ...env(target, 'push'),
        GITHUB_OUTPUT: path.join(dir, 'output'),
        GITHUB_STATE: stateFile,
        GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
      };
      // Settings that are no inputs of action.yml go to a project file, as runStep does.
      const split = splitInputs(stepInputs);
      if (split.file) {
        split.inputs.config = path.join(dir, 'ethhook-load-test.json');
        writeFileSync(split.inputs.config, JSON.stringify(split.file));
      }
      for (const [name, value] of Object.entries(split.inputs))
        stepEnv[`INPUT_${name.toUpperCase()}`] = value;

      const child = spawn(process.execPath, [MAIN], {
        env: stepEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<NodeJS.Signals | null>((done) =>
        child.on('exit', (_code, signal) => done(signal)),
      );
      const deadline = Date.now() + 120_000;
      while (!stdout.includes('::group::Measured run') && child.exitCode === null) {
        if (Date.now() > deadline) child.kill('SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(child.exitCode, explain({ exitCode: child.exitCode, stdout, stderr })).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const state = parseFileCommands(readFileSync(stateFile, 'utf8'));
      const project = savedService(state).project as string;
      const before = await leftovers(project);
      expect(before.containers.split('\n')).toHaveLength(4);

      const postStep = await post(target, stepInputs, state);
      expect(groupText(postStep.stdout, /Service logs/)).toContain('processor_1');
      await expectTornDown(postStep, state);
    }, 240_000);

    it('a compose file that is not YAML: an error naming compose-file, nothing started', async () => {
      const target = await stack();
      const broken = path.join(workspace, 'broken-compose.yml');
      writeFileSync(
        broken,
        'services:\n  redis:\n    image: [unclosed\n    command: redis-server\n',
      );
      const stepInputs = inputs(target, { 'compose-file': broken });
      const step = await main(target, stepInputs);
      expect(step.exitCode, explain(step)).toBe(1);
      const errors = errorsOf(step);
      expect(errors, explain(step)).toHaveLength(1);
      expect(errors[0]?.message).toMatch(/^compose-file: the compose file is not valid/);
      expect(errors[0]?.message).toContain(broken);
      const project = savedService(step.state).project as string;
      expect(await leftovers(project)).toEqual(NOTHING_LEFT);
      expect(step.stdout).not.toContain('::group::Starting');

      const postStep = await post(target, stepInputs, step.state);
      expect(postStep.exitCode, explain(postStep)).toBe(0);
      expect(errorsOf(postStep), explain(postStep)).toEqual([]);
      expect(await leftovers(project)).toEqual(NOTHING_LEFT);
    }, 120_000);
  },
);
