import os from 'node:os';
import type { EnvironmentFingerprint } from './result.js';

export interface VersionSources {
  redisVersion(): Promise<string | null>;
  postgresVersion(): Promise<string | null>;
}

/** What the machine is; a baseline measured on a different machine is not comparable. */
export async function environmentFingerprint(
  sources?: VersionSources,
): Promise<EnvironmentFingerprint> {
  const cpus = os.cpus();
  return {
    cpuModel: (cpus[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim(),
    cpuCores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    nodeVersion: process.version,
    redisVersion: (await sources?.redisVersion().catch(() => null)) ?? null,
    postgresVersion: (await sources?.postgresVersion().catch(() => null)) ?? null,
  };
}
