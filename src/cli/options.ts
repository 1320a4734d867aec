import { InvalidArgumentError } from 'commander';
import { SETTINGS } from '../settings/declaration.js';
import { amount, count, parseWith, port as portKind, url, type Kind } from '../settings/kinds.js';

/**
 * Argument parsers for the flags of commands that are not settings of a run (reference, receive,
 * baseline, seed): the kinds of src/settings, so a number or a URL is read the same everywhere.
 * Each throws InvalidArgumentError, which commander turns into
 * "error: option '--workers <n>' argument 'abc' is invalid. Expected a whole number of at least 1."
 */
function argParser<T>(kind: Kind<T>): (raw: string) => T {
  return (raw) => {
    const parsed = parseWith(kind, raw, '');
    if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
    return parsed.value;
  };
}

export const positiveInt = argParser(count(1));
export const nonNegativeInt = argParser(count(0));
export const nonNegativeNumber = argParser(amount({}));
export const positiveNumber = argParser(amount({ above: true }));
export const port = argParser(portKind);
export const redisUrl = argParser(SETTINGS.redisUrl.kind);
export const databaseUrl = argParser(SETTINGS.databaseUrl.kind);
/** A URL written as it is into the endpoints (no `{port}` to fill in). */
export const httpUrl = argParser(url(['http:', 'https:'], 'http://127.0.0.1:8000/webhook'));

export const DEFAULT_REDIS_URL = SETTINGS.redisUrl.default!;
export const DEFAULT_DATABASE_URL = SETTINGS.databaseUrl.default!;

/** Where the CLI's connections point when no flag is given: the environment, then localhost. */
export function defaultRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.REDIS_URL || DEFAULT_REDIS_URL;
}

export function defaultDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL || DEFAULT_DATABASE_URL;
}
