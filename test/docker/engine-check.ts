import { spawnSync } from 'node:child_process';

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
