// Smoke test of the Docker groundwork: the engine answers, the base image builds, and
// test/docker/compose.yml comes up healthy and goes away completely with `down -v --remove-orphans`.
//
// Skipped, with the reason in its title, when `docker info` fails (CI runs scripts/docker-engine.sh
// first, so there it runs). The reference pipeline's processor and delivery are replaced by small
// stubs in an override file, as the action's own override does with extra_hosts: this test is
// about the engine and the compose shape, not about the pipeline (action-compose.suite.ts runs it).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/stack/test-support.js';
import { missingPrerequisite } from '../setup/prerequisites.js';
import { dockerSuitePrerequisites, servicePort } from './engine-check.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = REPO_ROOT;
const composeFile = join(here, 'compose.yml');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
) {
  return new Promise<Run>((done) => {
    execFile(
      cmd,
      args,
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Why the suite cannot run here, or undefined when it can. Decided once, synchronously. */
/** `docker compose` (v2) when present, else `docker-compose` (v1); undefined when neither. */
async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`${what} not ready within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const { skipReason, compose } = dockerSuitePrerequisites();
const skipped = missingPrerequisite('test/docker/engine.suite.ts', skipReason);

describe.skipIf(skipped)(
  `compose mode against a real Docker engine${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    const project = `ltci${randomBytes(4).toString('hex')}`;
    const label = `label=com.docker.compose.project=${project}`;
    let workdir = '';
    let env: NodeJS.ProcessEnv = {};
    let files: string[] = [];
    const ports = { redis: 0, pg: 0, processor: 0, delivery: 0 };

    const dc = (args: string[], timeoutMs = 120_000) => {
      const [cmd, ...pre] = compose!;
      return run(cmd!, [...pre, ...files, '-p', project, ...args], { env, timeoutMs });
    };
    const leftovers = async () => {
      const q = async (kind: string[]) =>
        (await run('docker', [...kind, '--filter', label, '-q'])).stdout.trim();
      return {
        containers: await q(['ps', '-a']),
        networks: await q(['network', 'ls']),
        volumes: await q(['volume', 'ls']),
      };
    };

    beforeAll(async () => {
      const image = await run('bash', [join(repo, 'scripts', 'docker-base-image.sh')], {
        timeoutMs: 60_000,
      });
      expect(image.code, image.stderr + image.stdout).toBe(0);

      ports.redis = await servicePort();
      ports.pg = await servicePort();
      ports.processor = await servicePort();
      ports.delivery = await servicePort();
      env = {
        ...process.env,
        LT_REDIS_PORT: String(ports.redis),
        LT_PG_PORT: String(ports.pg),
        // The stubs answer on the pipeline's health ports, so its healthchecks pass too.
        LT_PROCESSOR_HEALTH_PORT: String(ports.processor),
        LT_DELIVERY_HEALTH_PORT: String(ports.delivery),
        LT_APP_DIR: repo,
      };

      // What the action's generated override does (extra_hosts on every service), plus stubs in
      // place of the reference pipeline. The processor stub reports what it sees from inside.
      const stub = (port: number, role: string) =>
        `require('http').createServer((q,s)=>require('dns').lookup('host.docker.internal',(e,a)=>` +
        `s.end(JSON.stringify({role:'${role}',hostDockerInternal:a||String(e),` +
        `redisPort:process.env.REDIS_PORT,databaseUrl:process.env.DATABASE_URL,uid:process.getuid()}))))` +
        `.listen(${port},'127.0.0.1')`;
      const hosts = `    extra_hosts: ['host.docker.internal:host-gateway']\n`;
      workdir = mkdtempSync(join(tmpdir(), 'ltci-'));
      const override = join(workdir, 'override.yml');
      writeFileSync(
        override,
        `services:\n` +
          `  redis:\n${hosts}` +
          `  postgres:\n${hosts}` +
          `  processor:\n${hosts}    command: ${JSON.stringify(['node', '-e', stub(ports.processor, 'processor')])}\n` +
          `  delivery:\n${hosts}    command: ${JSON.stringify(['node', '-e', stub(ports.delivery, 'delivery')])}\n`,
      );
      files = ['-f', composeFile, '-f', override];
    }, 90_000);

    afterAll(async () => {
      if (files.length > 0) await dc(['down', '-v', '--remove-orphans', '-t', '5'], 60_000);
      if (workdir) rmSync(workdir, { recursive: true, force: true });
    }, 90_000);

    it('validates the compose file and lists its services', async () => {
      const cfg = await dc(['config', '--services'], 30_000);
      expect(cfg.code, cfg.stderr).toBe(0);
      expect(cfg.stdout.trim().split('\n').sort()).toEqual([
        'delivery',
        'postgres',
        'processor',
        'redis',
      ]);
    });

    it('brings the stack up healthy, then down -v leaves nothing of the project', async () => {
      const up = await dc(['up', '-d'], 120_000);
      expect(up.code, `compose up failed:\n${up.stderr}\n${up.stdout}`).toBe(0);

      // From the host, as the action's readiness probes will see them.
      await until('Redis', 30_000, async () => {
        const r = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(ports.redis), 'ping']);
        return r.stdout.includes('PONG') ? true : undefined;
      });
      await until('PostgreSQL', 30_000, async () => {
        const r = await run('pg_isready', [
          '-h',
          '127.0.0.1',
          '-p',
          String(ports.pg),
          '-U',
          'postgres',
        ]);
        return r.code === 0 ? true : undefined;
      });

      // depends_on: service_healthy held the pipeline services back until both were healthy; they
      // run as uid 1000 with the environment of the compose file, and host.docker.internal
      // resolves to loopback (dockerd --host-gateway-ip=127.0.0.1, host networking).
      for (const [role, port] of [
        ['processor', ports.processor],
        ['delivery', ports.delivery],
      ] as const) {
        const seen = await until(`${role} stub`, 30_000, async () => {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/`);
            return (await res.json()) as Record<string, unknown>;
          } catch {
            return undefined;
          }
        });
        expect(seen).toEqual({
          role,
          hostDockerInternal: '127.0.0.1',
          redisPort: String(ports.redis),
          databaseUrl: `postgres://postgres@127.0.0.1:${ports.pg}/postgres`,
          uid: 1000,
        });
      }

      const ps = await run('docker', [
        'ps',
        '--filter',
        label,
        '--format',
        '{{.Label "com.docker.compose.service"}} {{.Status}}',
      ]);
      const status = Object.fromEntries(
        ps.stdout
          .trim()
          .split('\n')
          .map((l) => [l.split(' ')[0], l]),
      );
      expect(status['redis']).toMatch(/\(healthy\)/);
      expect(status['postgres']).toMatch(/\(healthy\)/);
      expect(Object.keys(status).sort()).toEqual(['delivery', 'postgres', 'processor', 'redis']);

      const logs = await dc(['logs', '--no-color', '--timestamps', 'postgres'], 30_000);
      expect(logs.code).toBe(0);
      expect(logs.stdout).toContain('database system is ready to accept connections');

      const before = await leftovers();
      expect(before.volumes, 'the named pgdata volume exists while up').not.toBe('');

      const down = await dc(['down', '-v', '--remove-orphans', '-t', '5'], 60_000);
      expect(down.code, down.stderr).toBe(0);
      expect(await leftovers()).toEqual({ containers: '', networks: '', volumes: '' });
    }, 180_000);
  },
);
