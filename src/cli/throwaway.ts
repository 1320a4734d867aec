import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleepMs } from '../engine/clock.js';
import type { Logger } from '../engine/log.js';
import { postgresReady, redisReady } from '../engine/run/readiness.js';
import { UserError } from './errors.js';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from './options.js';
import { freePort } from '../engine/net.js';

export interface Services {
  redisUrl: string;
  databaseUrl: string;
  /** What was started here (empty when everything was already running). */
  started: string[];
  /** The temporary folder of the started services, removed by stop(); null when none started. */
  workDir: string | null;
  stop(): Promise<void>;
}

const PROBE_MS = 1_500;

async function answers(probe: (timeoutMs: number) => Promise<void>): Promise<boolean> {
  try {
    await probe(PROBE_MS);
    return true;
  } catch {
    return false;
  }
}

function onPath(binary: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** initdb and postgres live outside PATH on Debian (/usr/lib/postgresql/<v>/bin). */
function findPostgresBinary(name: 'initdb' | 'postgres'): string | null {
  const direct = onPath(name);
  if (direct) return direct;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  for (const version of readdirSync(root).sort().reverse()) {
    const candidate = join(root, version, 'bin', name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** PostgreSQL refuses to run as root; when we are root, run it as an unprivileged account. */
function unprivilegedIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0)
      return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  throw new UserError(
    'running as root and no "postgres" or "nobody" account exists to run a throwaway PostgreSQL',
  );
}

/**
 * Uses REDIS_URL / DATABASE_URL when set, else localhost; when nothing answers there, starts
 * throwaway redis-server and PostgreSQL (initdb + postgres) from binaries on this machine in a
 * temporary folder, removed again by stop(). Says exactly what to install when they are missing.
 */
/** Ends started services (SIGTERM, at most 10 s each) and removes their folder. */
async function stopStarted(children: readonly ChildProcess[], dir: string | null): Promise<void> {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map((child) =>
      child.exitCode !== null || child.signalCode !== null
        ? undefined
        : Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleepMs(10_000)]),
    ),
  );
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export async function ensureServices(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  defaults = { redisUrl: DEFAULT_REDIS_URL, databaseUrl: DEFAULT_DATABASE_URL },
): Promise<Services> {
  const children: ChildProcess[] = [];
  const started: string[] = [];
  let dir: string | null = null;
  const workDir = () => (dir ??= mkdtempSync(join(tmpdir(), 'ethhook-lt-')));
  const stop = () => stopStarted(children, dir);

  try {
    let redisUrl = env.REDIS_URL || defaults.redisUrl;
    let databaseUrl = env.DATABASE_URL || defaults.databaseUrl;
    if (!env.REDIS_URL && !(await answers((t) => redisReady(redisUrl, t)))) {
      const redis = await startRedis(workDir(), defaults.redisUrl);
      children.push(redis.child);
      redisUrl = redis.url;
      started.push(`redis-server on port ${redis.port}`);
      logger.info(`Started a throwaway Redis at ${redisUrl}`);
    }
    if (!env.DATABASE_URL && !(await answers((t) => postgresReady(databaseUrl, t)))) {
      const postgres = await startPostgres(workDir(), defaults.databaseUrl);
      children.push(postgres.child);
      databaseUrl = postgres.url;
      started.push(`postgres on port ${postgres.port}`);
      logger.info(`Started a throwaway PostgreSQL at ${databaseUrl}`);
    }
    return { redisUrl, databaseUrl, started, workDir: dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Started {
  child: ChildProcess;
  port: number;
  url: string;
}

/** Waits until a started service answers; stops it when it never does. */
async function answering(child: ChildProcess, ready: () => Promise<void>): Promise<void> {
  try {
    await ready();
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
}

/** A redis-server on a free port, keeping nothing on disk; answering when this returns. */
async function startRedis(dir: string, defaultUrl: string): Promise<Started> {
  const binary = onPath('redis-server');
  if (!binary) {
    throw new UserError(
      `no Redis answers at ${defaultUrl} and redis-server is not on PATH: install Redis ` +
        '(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL',
    );
  }
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(binary, [...args, '--dir', dir], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await answering(child, () => redisReady(url, 15_000));
  return { child, port, url };
}

/**
 * A redis-server of its own, for a test that must not touch the shared one (CLIENT PAUSE stalls
 * every neighbour, and Redis 7.0 crashes when another client's CLIENT UNBLOCK meets a paused
 * one). Answering when this returns; stop() ends it and removes its folder.
 */
export async function throwawayRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ethhook-lt-redis-'));
  try {
    const { child, url } = await startRedis(dir, 'a throwaway Redis');
    return { url, stop: () => stopStarted([child], dir) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A PostgreSQL cluster made by initdb in `dir`, on a free port; answering when this returns. */
async function startPostgres(dir: string, defaultUrl: string): Promise<Started> {
  const initdb = findPostgresBinary('initdb');
  const postgres = findPostgresBinary('postgres');
  if (!initdb || !postgres) {
    throw new UserError(
      `no PostgreSQL answers at ${defaultUrl} and initdb/postgres were not found (PATH, /usr/lib/postgresql/*/bin): ` +
        'install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) or set DATABASE_URL',
    );
  }
  const dataDir = join(dir, 'pg');
  const ids = unprivilegedIds();
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const init = spawnSync(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync'], {
    encoding: 'utf8',
    ...ids,
  });
  if (init.status !== 0)
    throw new UserError(`initdb failed: ${(init.stderr || init.stdout).trim()}`);
  const port = await freePort();
  const settings = ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'];
  const child = spawn(postgres, ['-D', dataDir, '-p', String(port), '-k', dir, ...settings], {
    stdio: 'ignore',
    ...ids,
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await answering(child, () => postgresReady(url, 30_000));
  return { child, port, url };
}
