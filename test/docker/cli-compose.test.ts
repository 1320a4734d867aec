// `ethhook-load-test run --compose-file test/docker/compose.yml` against the real Docker engine:
// the CLI brings the reference pipeline up in compose (Redis, PostgreSQL, processor, delivery, on
// the host network), waits, seeds, loads, collects the containers' logs beside the result and
// runs `down -v`, also when it is stopped by SIGTERM. No image is pulled (see README.md here);
// reference/compose.yml builds from node and redis/postgres images, which this machine cannot
// pull, so the test's compose file (the same pipeline on the host's own programs) stands in.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/engine/net.js';
import { expectPhasesInOrder } from '../e2e/helpers.js';
import { dockerSuitePrerequisites } from './engine-check.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const PROJECT_LABEL = 'com.docker.compose.project';
/** GITHUB_RUN_ID of this file's runs: every project the CLI names starts with PROJECT_PREFIX. */
const RUN_ID = String(100_000 + Math.floor(Math.random() * 900_000));
const PROJECT_PREFIX = `ethhook-load-test-${RUN_ID}-1-`;

function run(cmd: string, args: string[], timeoutMs = 60_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** This file's projects that still have a container, network or volume. */
async function projectsLeft(): Promise<string[]> {
  const format = [
    '--format',
    `{{.Label "${PROJECT_LABEL}"}}`,
    '--filter',
    `label=${PROJECT_LABEL}`,
  ];
  const kinds = [
    ['ps', '-a'],
    ['volume', 'ls'],
    ['network', 'ls'],
  ];
  const names: string[] = [];
  for (const kind of kinds)
    names.push(...(await run('docker', [...kind, ...format])).stdout.split('\n'));
  return [...new Set(names.filter((name) => name.startsWith(PROJECT_PREFIX)))];
}

/** The test's own teardown, by label, whatever the CLI left. */
async function removeProject(project: string): Promise<void> {
  const filter = ['--filter', `label=${PROJECT_LABEL}=${project}`, '-q'];
  const ids = async (kind: string[]) =>
    (await run('docker', [...kind, ...filter])).stdout.split('\n').filter(Boolean);
  const containers = await ids(['ps', '-a']);
  if (containers.length) await run('docker', ['rm', '-f', '-v', ...containers]);
  const networks = await ids(['network', 'ls']);
  if (networks.length) await run('docker', ['network', 'rm', ...networks]);
  const volumes = await ids(['volume', 'ls']);
  if (volumes.length) await run('docker', ['volume', 'rm', '-f', ...volumes]);
}

const { skipReason } = dockerSuitePrerequisites();
if (skipReason) console.warn(`test/docker/cli-compose.test.ts skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)(
  `run --compose-file on a real Docker engine${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let dir: string;

    beforeAll(async () => {
      const image = await run('bash', [path.join(repo, 'scripts', 'docker-base-image.sh')]);
      expect(image.code, image.stderr + image.stdout).toBe(0);
      dir = mkdtempSync(path.join(tmpdir(), 'cli-compose-'));
    }, 60_000);

    afterAll(async () => {
      for (const project of await projectsLeft()) await removeProject(project);
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 120_000);

    /** The CLI in compose mode on free ports and a chain of its own. */
    async function startRun(out: string, events: string) {
      const ports = {
        redis: await freePort(),
        pg: await freePort(),
        processor: await freePort(),
        delivery: await freePort(),
      };
      const chainId = String(1_900_000_000 + Math.floor(Math.random() * 99_999_999));
      const args = [
        ...['--import', 'tsx', 'src/cli/index.ts', 'run'],
        ...['--compose-file', 'test/docker/compose.yml'],
        ...['--redis-url', `redis://127.0.0.1:${ports.redis}`],
        ...['--database-url', `postgres://postgres@127.0.0.1:${ports.pg}/postgres`],
        ...['--chain-id', chainId, '--events', events, '--rate', '100', '--concurrency', '2'],
        // One trial: this suite is about the compose lifecycle, not the verdict.
        ...['--trials', '1', '--warmup', '50', '--ready-timeout', '60', '--drain-timeout', '5'],
        // Host networking: the containers reach the host's loopback as host.docker.internal.
        ...['--receiver-host', '127.0.0.1', '--progress', 'off', '--out', out],
      ];
      const child = spawn(process.execPath, args, {
        cwd: repo,
        env: {
          ...process.env,
          NO_COLOR: '1',
          GITHUB_RUN_ID: RUN_ID,
          GITHUB_RUN_ATTEMPT: '1',
          LT_REDIS_PORT: String(ports.redis),
          LT_PG_PORT: String(ports.pg),
          LT_PROCESSOR_HEALTH_PORT: String(ports.processor),
          LT_DELIVERY_HEALTH_PORT: String(ports.delivery),
          LT_CHAIN_ID: chainId,
          LT_APP_DIR: repo,
        },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.resume();
      const timer = setTimeout(() => child.kill('SIGKILL'), 200_000);
      const exited = new Promise<number | null>((resolve) =>
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve(code);
        }),
      );
      return { child, exited, stderr: () => stderr, chainId };
    }

    it('up, ready, seed, load, logs beside the result, down: nothing left running', async () => {
      const out = path.join(dir, 'compose', 'result.json');
      const cli = await startRun(out, '300');
      const code = await cli.exited;
      expect(code, cli.stderr()).toBe(0);
      expectPhasesInOrder(cli.stderr(), [
        'Starting 4 services (compose project ethhook-load-test-',
        '── Waiting for Redis and PostgreSQL',
        '── Waiting for the SUT',
        '── Seeding webhook endpoints',
        '── Warm-up: 50 events',
        '── Measured run',
        '── Stopping the services (compose project',
      ]);
      // Compose v1 has no --wait and must never get it.
      expect(cli.stderr()).not.toMatch(/docker-compose .* up -d.* --wait/);
      const result = JSON.parse(readFileSync(out, 'utf8')) as { delivery: { lost: number } };
      expect(result.delivery.lost).toBe(0);
      const logs = readFileSync(path.join(dir, 'compose', 'result.services.log'), 'utf8');
      expect(logs).toMatch(/processor_1 +\| .*processor: reading events:/);
      expect(logs).toContain('database system is ready to accept connections');
      expect(await projectsLeft()).toEqual([]);
    }, 240_000);

    it('SIGTERM mid-run: exit 143 and the compose project taken down', async () => {
      const cli = await startRun(path.join(dir, 'term', 'result.json'), '5000');
      const deadline = Date.now() + 150_000;
      while (!cli.stderr().includes('── Measured run') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      cli.child.kill('SIGTERM');
      const code = await cli.exited;
      expect(code, cli.stderr()).toBe(143);
      expect(cli.stderr()).toContain('interrupted by SIGTERM');
      expect(await projectsLeft()).toEqual([]);
    }, 240_000);
  },
);
