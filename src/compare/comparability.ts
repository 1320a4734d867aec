import { createHash } from 'node:crypto';
import {
  describeFaults,
  faultsInjected,
  type EnvironmentFingerprint,
  type InjectedFaults,
  type RunConfigSnapshot,
} from '../engine/measure/result.js';

/**
 * Whether two runs measured the same thing on the same kind of machine. A difference here
 * makes a comparison meaningless, so the verdict becomes inconclusive instead of guessing.
 */

export interface Difference {
  field: string;
  baseline: string;
  current: string;
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

/*
 * Fields of the fingerprint that decide comparability, and how strictly:
 * - cpuModel, cpuCores, arch: exact. The SUT is CPU-bound; a runner landing on another CPU
 *   generation moves latency by more than a typical regression.
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
): Difference[] {
  const differences: Difference[] = [];
  const differ = (field: keyof EnvironmentFingerprint): void => {
    differences.push({
      field,
      baseline: display(field, baseline[field]),
      current: display(field, current[field]),
    });
  };
  if (normalizeCpu(baseline.cpuModel) !== normalizeCpu(current.cpuModel)) differ('cpuModel');
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
    .map(({ field, baseline, current }) => `${field} (baseline ${baseline}, current ${current})`)
    .join('; ');
}
