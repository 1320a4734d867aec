import { spawnSync } from 'node:child_process';
import { listenProblem } from '../../src/engine/net.js';

/** `docker compose` (v2) when present, else `docker-compose` (v1); undefined when neither. */
export function composeCommand(): string[] | undefined {
  const v2 = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 15_000 });
  if (!v2.error && v2.status === 0) return ['docker', 'compose'];
  const v1 = spawnSync('docker-compose', ['version', '--short'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (!v1.error && v1.status === 0) return ['docker-compose'];
  return undefined;
}

/**
 * Why the Docker suites cannot run here (no engine, no compose), or undefined when they can, with
 * the compose command to use. Decided once per file, synchronously, before `describe.skipIf`.
 */
export function dockerSuitePrerequisites(): {
  skipReason: string | undefined;
  compose: string[] | undefined;
} {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (info.error || info.status !== 0) {
    const why = (info.error?.message ?? info.stderr ?? '').trim().split('\n')[0];
    return {
      skipReason: `no Docker engine (docker info failed: ${why || `exit ${info.status}`}); run 'bash scripts/docker-engine.sh' as root`,
      compose: undefined,
    };
  }
  const compose = composeCommand();
  return {
    skipReason: compose
      ? undefined
      : "neither `docker compose` nor `docker-compose` is installed: run 'bash scripts/docker-engine.sh' as root",
    compose,
  };
}

/**
 * A port for a service of the compose stack: free now, and below the kernel's ephemeral range
 * (net.ipv4.ip_local_port_range, 32768-60999 here). A port from `listen(0)` is ephemeral, and the
 * stack binds it seconds later (after builds and healthchecks): in between, an outgoing connection
 * of any test running beside (Redis, PostgreSQL, HTTP clients) may take it as its local port, and
 * the service exits "port in use": the likeliest cause of a paired A/B test's processor exiting 64
 * (the reference pipeline's start-up failure) in a step-1 run, whose log was gone with its folder.
 */
export async function servicePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await listenProblem('127.0.0.1', port)) === null) return port;
  }
  throw new Error('no free port between 20000 and 32000 after 50 tries');
}
