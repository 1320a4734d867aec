import { METRIC_IDS } from './metrics.js';

/**
 * A small declarative shape check for the JSON files we read (results, trial sets,
 * baselines). It checks what the comparison and the report rely on and names the first field
 * that is wrong, e.g. `aggregate.metrics.p50 must be a number, got "12"`.
 */
export type Schema =
  | 'number'
  | 'string'
  | 'boolean'
  | 'number|null'
  | 'string|null'
  | 'any'
  | { arrayOf: Schema }
  | { recordOf: Schema }
  | { oneOf: readonly (string | number)[] }
  | { [field: string]: Schema };

export class ShapeError extends Error {
  constructor(
    readonly at: string,
    message: string,
  ) {
    super(message);
    this.name = 'ShapeError';
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function fail(at: string, expected: string, value: unknown): never {
  throw new ShapeError(at, `${at || 'the document'} must be ${expected}, got ${describe(value)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const join = (at: string, key: string | number): string =>
  typeof key === 'number' ? `${at}[${key}]` : at ? `${at}.${key}` : key;

export function checkShape(value: unknown, schema: Schema, at = ''): void {
  if (typeof schema === 'string') {
    switch (schema) {
      case 'any':
        return;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) fail(at, 'a number', value);
        return;
      case 'string':
        if (typeof value !== 'string') fail(at, 'a string', value);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') fail(at, 'true or false', value);
        return;
      case 'number|null':
        if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
          fail(at, 'a number or null', value);
        }
        return;
      case 'string|null':
        if (value !== null && typeof value !== 'string') fail(at, 'a string or null', value);
        return;
    }
  }
  if ('arrayOf' in schema && Object.keys(schema).length === 1) {
    if (!Array.isArray(value)) fail(at, 'an array', value);
    value.forEach((item, index) => checkShape(item, schema.arrayOf as Schema, join(at, index)));
    return;
  }
  if ('recordOf' in schema && Object.keys(schema).length === 1) {
    if (!isObject(value)) fail(at, 'an object', value);
    for (const [key, item] of Object.entries(value))
      checkShape(item, schema.recordOf as Schema, join(at, key));
    return;
  }
  if ('oneOf' in schema && Object.keys(schema).length === 1) {
    const allowed = schema.oneOf as readonly (string | number)[];
    if (!allowed.includes(value as string | number)) {
      fail(at, `one of ${allowed.map((item) => JSON.stringify(item)).join(', ')}`, value);
    }
    return;
  }
  if (!isObject(value)) fail(at, 'an object', value);
  for (const [key, inner] of Object.entries(schema as Record<string, Schema>)) {
    if (!(key in value)) throw new ShapeError(join(at, key), `${join(at, key)} is missing`);
    checkShape(value[key], inner, join(at, key));
  }
}

export const latencySummarySchema: Schema = {
  count: 'number',
  min: 'number',
  mean: 'number',
  p50: 'number',
  p90: 'number',
  p95: 'number',
  p99: 'number',
  p999: 'number',
  max: 'number',
};

export const configSchema: Schema = {
  scenario: 'string',
  events: 'number|null',
  ratePerSec: 'number',
  concurrency: 'number',
  durationSec: 'number|null',
  chainId: 'number',
  seed: 'number',
  mix: { recordOf: 'number' },
  warmupEvents: 'number',
  drainTimeoutMs: 'number',
};

export const environmentSchema: Schema = {
  cpuModel: 'string',
  cpuCores: 'number',
  memoryGiB: 'number',
  os: 'string',
  arch: 'string',
  nodeVersion: 'string',
  redisVersion: 'string|null',
  postgresVersion: 'string|null',
};

export const toolSchema: Schema = { name: 'string', version: 'string' };
export const validitySchema: Schema = { valid: 'boolean', reasons: { arrayOf: 'string' } };

const countsSchema = {
  expected: 'number',
  delivered: 'number',
  lost: 'number',
  duplicates: 'number',
  badSignatures: 'number',
  foreign: 'number',
  malformed: 'number',
  failedAttempts: 'number',
  totalRequests: 'number',
} as const satisfies Schema;

const drainEndedSchema: Schema = { oneOf: ['complete', 'idle-timeout', 'deadline'] };

export const endpointSchema: Schema = {
  endpointId: 'string',
  name: 'string',
  ...countsSchema,
  latencyMs: latencySummarySchema,
  latencyHistogram: 'string',
};

/** A run's PublisherFigures. */
const publisherSchema: Schema = {
  published: 'number',
  errors: 'number',
  targetRatePerSec: 'number',
  achievedRatePerSec: 'number',
  rateMet: 'boolean',
  elapsedMs: 'number',
  xaddLatencyMs: latencySummarySchema,
  xaddHistogram: 'string',
  scheduleLagMs: latencySummarySchema,
};

/** A trial summary keeps the publisher figures without the XADD histogram (merged once instead). */
const {
  xaddLatencyMs: _xaddLatency,
  xaddHistogram: _xaddHistogram,
  ...trialPublisherSchema
} = publisherSchema;

export const runResultBodySchema: Schema = {
  tool: toolSchema,
  runId: 'string',
  startedAt: 'string',
  finishedAt: 'string',
  config: configSchema,
  environment: environmentSchema,
  publisher: publisherSchema,
  delivery: {
    ...countsSchema,
    successRate: 'number',
    throughputPerSec: 'number',
    latencyMs: latencySummarySchema,
    latencyHistogram: 'string',
    latencyWithLossMs: latencySummarySchema,
    drainMs: 'number',
    drainEnded: drainEndedSchema,
  },
  endpoints: { arrayOf: endpointSchema },
  validity: validitySchema,
  checks: { arrayOf: { name: 'string', passed: 'boolean', detail: 'string' } },
};

export const metricValuesSchema: Schema = Object.fromEntries(
  METRIC_IDS.map((id) => [id, 'number' as const]),
);

const spreadSchema: Schema = Object.fromEntries(
  METRIC_IDS.map((id) => [id, 'number|null' as const]),
);

export const trialAggregateSchema: Schema = {
  tool: toolSchema,
  trialCount: 'number',
  startedAt: 'string',
  finishedAt: 'string',
  config: configSchema,
  environment: environmentSchema,
  metrics: metricValuesSchema,
  spread: spreadSchema,
  validity: validitySchema,
  delivery: {
    ...countsSchema,
    successRate: 'number',
    latencyMs: latencySummarySchema,
    latencyHistogram: 'string',
  },
  publisher: {
    published: 'number',
    errors: 'number',
    targetRatePerSec: 'number',
    achievedRatePerSec: 'number',
    rateMet: 'boolean',
    xaddLatencyMs: latencySummarySchema,
    xaddHistogram: 'string',
  },
  endpoints: { arrayOf: endpointSchema },
  trials: {
    arrayOf: {
      runId: 'string',
      startedAt: 'string',
      finishedAt: 'string',
      metrics: metricValuesSchema,
      latencyMs: latencySummarySchema,
      latencyHistogram: 'string',
      delivery: {
        ...countsSchema,
        successRate: 'number',
        drainMs: 'number',
        drainEnded: drainEndedSchema,
      },
      publisher: trialPublisherSchema,
      validity: validitySchema,
    },
  },
};

export const historyEntrySchema: Schema = {
  date: 'string',
  commit: 'string|null',
  trialCount: 'number',
  configKey: 'string',
  valid: 'boolean',
  metrics: metricValuesSchema,
};
