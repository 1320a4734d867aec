import { createHash } from 'node:crypto';
import {
  describeFaults,
  faultsInjected,
  type EnvironmentFingerprint,
  type InjectedFaults,
  type RunConfigSnapshot,
  type SpeedProbe,
} from '../engine/measure/result.js';

/**
 * Whether two runs measured the same thing on the same kind of machine. A difference here
 * makes a comparison meaningless, so the verdict becomes inconclusive instead of guessing.
 */

export interface Difference {
  field: string;
  baseline: string;
  current: string;
  /** What the difference means, when the two values do not say it (the speed probe). */
  explanation?: string;
}

/*
 * Config fields that change the load, and so the figures (faults: the receiver failing or slowing
 * replies on purpose changes what the SUT must do). Ignored on purpose:
 * - seed: it picks which addresses and amounts are generated, not how many or how fast;
 * - drainTimeoutMs: it only decides when to stop waiting for stragglers, which the loss
 *   gate judges on its own.
 */
const LOAD_SHAPING_FIELDS = [
  'scenario',
  'events',
  'ratePerSec',
  'concurrency',
  'durationSec',
  'chainId',
  'warmupEvents',
  'mix',
  'faults',
] as const satisfies readonly (keyof RunConfigSnapshot)[];
type LoadShapingField = (typeof LOAD_SHAPING_FIELDS)[number];

function canonical(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function display(field: string, value: unknown): string {
  if (field === 'faults') return describeFaults(value as InjectedFaults);
  if (value === null || value === undefined) return 'none';
  if (isSpeedProbe(value)) {
    return `CPU ${value.cpuMs.toFixed(0)} ms, Redis ${value.redisRoundTripUs === null ? '—' : `${value.redisRoundTripUs.toFixed(0)} µs`}`;
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => `${key}=${String(inner)}`)
      .join(', ');
  }
  return String(value);
}

/** A field as it shapes the load: faults that inject nothing are no faults, whatever the status. */
function loadOf(config: RunConfigSnapshot, field: LoadShapingField): unknown {
  if (field === 'faults') return faultsInjected(config.faults) ? config.faults : null;
  return config[field];
}

export function configDifferences(
  baseline: RunConfigSnapshot,
  current: RunConfigSnapshot,
): Difference[] {
  const differences: Difference[] = [];
  for (const field of LOAD_SHAPING_FIELDS) {
    if (canonical(loadOf(baseline, field)) !== canonical(loadOf(current, field))) {
      differences.push({
        field,
        baseline: display(field, baseline[field]),
        current: display(field, current[field]),
      });
    }
  }
  return differences;
}

/** A short stable key of the load-shaping config: history entries with the same key compare. */
export function configKey(config: RunConfigSnapshot): string {
  // A clean run leaves faults out of the key, so keys of files written before faults were
  // recorded stay the same and their history still counts.
  const fields = LOAD_SHAPING_FIELDS.filter(
    (field) => field !== 'faults' || faultsInjected(config.faults),
  );
  const shape = Object.fromEntries(fields.map((field) => [field, loadOf(config, field)]));
  return createHash('sha256').update(canonical(shape)).digest('hex').slice(0, 12);
}

const normalizeCpu = (model: string): string => model.replace(/\s+/g, ' ').trim().toLowerCase();
const osFamily = (os: string): string => (os.trim().split(/\s+/)[0] ?? '').toLowerCase();
const majorVersion = (version: string): string => /(\d+)/.exec(version)?.[1] ?? version;

/**
 * The vendor and product line of a CPU model: "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz"
 * and "Intel(R) Xeon(R) CPU E5-2673 v4" are both "intel xeon"; "AMD EPYC 7763 64-Core
 * Processor" is "amd epyc". Hosted runners of one kind land on several models of one line.
 */
export function cpuFamily(model: string): string {
  const words = model
    .toLowerCase()
    .replace(/\((r|tm)\)/g, ' ')
    .replace(/@.*$/, ' ')
    .replace(/\b(cpu|processor|\d+-core)\b/g, ' ')
    .split(/\s+/)
    .filter((word) => word !== '');
  return words.slice(0, 2).join(' ') || 'unknown';
}

/**
 * How far apart two runners' speed probes may be and still compare: the CPU loop within 1.25x
 * (on one machine it repeats within a few percent, the best of several rounds; a runner 25%
 * slower moves a CPU-bound pipeline's latency by about as much, half the default tolerance).
 * The Redis round trip is recorded and shown but does not decide: on one machine, minutes
 * apart, its median measured 94 and 148 µs (load average 0.5 vs 2), so it gauges the moment's
 * load, not the runner, and made unchanged runs and real regressions alike inconclusive.
 */
export const SPEED_PROBE_MARGIN = { cpu: 1.25 } as const;

export interface EnvironmentMatching {
  /**
   * Strict: the exact CPU model as well as agreeing probes. Default: the CPU family and agreeing
   * probes, or the exact model when either side has no probe to go by.
   */
  strict?: boolean;
}

/** How much slower (> 1) or faster (< 1) `current` is than `baseline`, by the CPU probe. */
export function speedRatio(
  baseline: EnvironmentFingerprint,
  current: EnvironmentFingerprint,
): { cpu: number } | null {
  if (!baseline.speed || !current.speed) return null;
  return { cpu: current.speed.cpuMs / baseline.speed.cpuMs };
}

const outside = (ratio: number, margin: number): boolean => ratio > margin || ratio < 1 / margin;

function describeSpeed(ratio: number, what: string): string {
  return ratio >= 1
    ? `this runner is ${ratio.toFixed(2)}x slower than the baseline's (${what})`
    : `this runner is ${(1 / ratio).toFixed(2)}x faster than the baseline's (${what})`;
}

/*
 * Fields of the fingerprint that decide comparability, and how strictly:
 * - CPU: the family (vendor and product line) and the speed probe within SPEED_PROBE_MARGIN; the
 *   exact model too when strict, or when a side has no probe. The SUT is CPU-bound: what
 *   matters is how fast this runner is, which the model alone does not say.
 * - cpuCores, arch: exact. The pipeline runs several processes at once.
 * - memoryGiB: within 10% (at least 1 GiB). The same VM size reports slightly different
 *   totals across kernel versions (reserved memory), which rounds to a neighbouring GiB.
 * - os: the family only (Linux, Darwin). The kernel release changes with every runner image
 *   update; it is not what we measure.
 * - nodeVersion, redisVersion, postgresVersion: the major version. Patch and minor releases
 *   ship fixes, not new engines; a major one (V8, Redis 7 -> 8, Postgres 16 -> 17) can change
 *   the figures. An unknown (null) version is not held against either side.
 */
export function environmentDifferences(
  baseline: EnvironmentFingerprint,
  current: EnvironmentFingerprint,
  matching: EnvironmentMatching = {},
): Difference[] {
  const differences: Difference[] = [];
  const differ = (field: keyof EnvironmentFingerprint, explanation?: string): void => {
    differences.push({
      field,
      baseline: display(field, baseline[field]),
      current: display(field, current[field]),
      ...(explanation ? { explanation } : {}),
    });
  };
  const speed = speedRatio(baseline, current);
  if (cpuFamily(baseline.cpuModel) !== cpuFamily(current.cpuModel)) differ('cpuModel');
  else if (
    (matching.strict || !speed) &&
    normalizeCpu(baseline.cpuModel) !== normalizeCpu(current.cpuModel)
  )
    differ('cpuModel');
  if (speed && outside(speed.cpu, SPEED_PROBE_MARGIN.cpu)) {
    differ('speed', describeSpeed(speed.cpu, 'CPU probe'));
  }
  if (baseline.cpuCores !== current.cpuCores) differ('cpuCores');
  const memoryTolerance = Math.max(1, 0.1 * Math.max(baseline.memoryGiB, current.memoryGiB));
  if (Math.abs(baseline.memoryGiB - current.memoryGiB) > memoryTolerance) differ('memoryGiB');
  if (baseline.arch !== current.arch) differ('arch');
  if (osFamily(baseline.os) !== osFamily(current.os)) differ('os');
  if (majorVersion(baseline.nodeVersion) !== majorVersion(current.nodeVersion))
    differ('nodeVersion');
  for (const field of ['redisVersion', 'postgresVersion'] as const) {
    const [before, after] = [baseline[field], current[field]];
    if (before !== null && after !== null && majorVersion(before) !== majorVersion(after)) {
      differ(field);
    }
  }
  return differences;
}

export function describeDifferences(differences: readonly Difference[]): string {
  return differences
    .map(
      ({ field, baseline, current, explanation }) =>
        `${explanation ? `${explanation}: ` : ''}${field} (baseline ${baseline}, current ${current})`,
    )
    .join('; ');
}

function isSpeedProbe(value: unknown): value is SpeedProbe {
  return value !== null && typeof value === 'object' && 'cpuMs' in value;
}
