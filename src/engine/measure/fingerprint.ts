import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { EnvironmentFingerprint, SpeedProbe } from './result.js';

export interface VersionSources {
  redisVersion(): Promise<string | null>;
  postgresVersion(): Promise<string | null>;
  /** Runs `work` with a PING against the SUT's Redis; absent: no Redis round-trip probe. */
  withRedisPing?<T>(work: (ping: () => Promise<unknown>) => Promise<T>): Promise<T>;
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
    speed: await speedOfThisRunner(sources?.withRedisPing?.bind(sources)),
  };
}

let probed: Promise<SpeedProbe> | null = null;

/**
 * The speed probe, once per process. It takes about 0.4 s on a 2-core runner, and a paired check
 * fingerprints every start of both sides (six at least) on one machine, whose first probe its
 * rounds keep anyway (compare/rounds.ts sideResults).
 */
function speedOfThisRunner(withRedisPing?: VersionSources['withRedisPing']): Promise<SpeedProbe> {
  probed ??= speedProbe(withRedisPing);
  return probed;
}

/*
 * The speed probe: under a second on a hosted runner. Each part takes the best (CPU) or
 * the median (Redis) of several rounds, so one preemption by a neighbour does not decide it.
 */
const CPU_PROBE_ROUNDS = 7;
/** About 30 ms a round on a 2024 hosted runner. */
const CPU_PROBE_ITERATIONS = 20_000_000;
const REDIS_PROBE_PINGS = 300;

/**
 * A fixed CPU-bound loop (xorshift: integer work the JIT cannot fold away); the checksum keeps
 * it from being dropped.
 */
function xorshiftLoop(iterations: number): number {
  let state = 0x9e3779b9 | 0;
  let sum = 0;
  for (let i = 0; i < iterations; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    sum = (sum + (state & 0xff)) | 0;
  }
  return sum;
}

/**
 * The CPU loop, best of several rounds, in ms. The first round also warms the JIT up; the best
 * is a compiled one.
 */
export function cpuProbeMs(
  rounds = CPU_PROBE_ROUNDS,
  iterations = CPU_PROBE_ITERATIONS,
): { ms: number; checksum: number } {
  let best = Number.POSITIVE_INFINITY;
  let checksum = 0;
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    checksum = xorshiftLoop(iterations);
    best = Math.min(best, performance.now() - started);
  }
  return { ms: best, checksum };
}

async function redisRoundTripUs(
  withRedisPing: NonNullable<VersionSources['withRedisPing']>,
): Promise<number | null> {
  return withRedisPing(async (ping) => {
    await ping();
    const samples: number[] = [];
    for (let i = 0; i < REDIS_PROBE_PINGS; i += 1) {
      const started = performance.now();
      await ping();
      samples.push((performance.now() - started) * 1000);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)] ?? null;
  }).catch(() => null);
}

export async function speedProbe(
  withRedisPing?: VersionSources['withRedisPing'],
): Promise<SpeedProbe> {
  const cpu = cpuProbeMs();
  return {
    cpuMs: Number(cpu.ms.toFixed(1)),
    redisRoundTripUs: withRedisPing ? roundTo(await redisRoundTripUs(withRedisPing)) : null,
  };
}

const roundTo = (value: number | null): number | null =>
  value === null ? null : Number(value.toFixed(1));
