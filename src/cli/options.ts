import { InvalidArgumentError } from 'commander';

/**
 * Flag parsers for commander. Each throws InvalidArgumentError, which commander turns into
 * "error: option '--rate <n>' argument 'abc' is invalid. <our message>" and exit code 1.
 */
function parseNumber(raw: string): number {
  const trimmed = raw.trim();
  if (trimmed === '' || !/^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) return Number.NaN;
  return Number(trimmed);
}

export function positiveInt(raw: string): number {
  const value = parseNumber(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError('Expected a whole number of at least 1.');
  }
  return value;
}

export function nonNegativeInt(raw: string): number {
  const value = parseNumber(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError('Expected a whole number of 0 or more.');
  }
  return value;
}

export function nonNegativeNumber(raw: string): number {
  const value = parseNumber(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError('Expected a number of 0 or more.');
  }
  return value;
}

export function positiveNumber(raw: string): number {
  const value = parseNumber(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError('Expected a number above 0.');
  }
  return value;
}

export function fraction(raw: string): number {
  const value = parseNumber(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidArgumentError('Expected a fraction from 0 to 1 (e.g. 0.1 for 10%).');
  }
  return value;
}

export function port(raw: string): number {
  const value = parseNumber(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new InvalidArgumentError('Expected a port from 0 to 65535 (0 picks a free one).');
  }
  return value;
}

export function connectionUrl(...protocols: string[]) {
  return (raw: string): string => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new InvalidArgumentError(`Expected a URL such as ${protocols[0]}//127.0.0.1.`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new InvalidArgumentError(
        `Expected a ${protocols.join(' or ')} URL, got ${parsed.protocol}.`,
      );
    }
    return raw;
  };
}

export const redisUrl = connectionUrl('redis:', 'rediss:');
export const databaseUrl = connectionUrl('postgres:', 'postgresql:');

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Where the CLI's connections point when no flag is given: the environment, then localhost. */
export function defaultRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.REDIS_URL || DEFAULT_REDIS_URL;
}

export function defaultDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL || DEFAULT_DATABASE_URL;
}
