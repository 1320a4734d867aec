/**
 * vitest globalSetup: the Redis and PostgreSQL the tests use. TEST_REDIS_URL / TEST_DATABASE_URL
 * when set; else the default addresses of src/stack/test-support.ts when something answers there;
 * else throwaway redis-server and postgres started from this machine's binaries, as `quickstart`
 * does (src/cli/throwaway.ts), so `npm install-ci-test` passes on a machine where Redis and
 * PostgreSQL are installed but not running. The chosen URLs go to the test workers through the
 * environment, which they inherit; the throwaway services stop when the run ends.
 */
import { ensureServices, type Services } from '../src/cli/throwaway.js';
import type { Logger } from '../src/engine/log.js';

export const DEFAULT_TEST_SERVICES = {
  redisUrl: 'redis://127.0.0.1:6379',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
};

const consoleLogger: Logger = {
  info: (message) => console.log(`[test services] ${message}`),
  warn: (message) => console.warn(`[test services] ${message}`),
  group: (_title, work) => work(),
};

/** The services for a test run; `defaults` are where to look first (tests move them). */
export function ensureTestServices(
  env: NodeJS.ProcessEnv,
  defaults = DEFAULT_TEST_SERVICES,
  logger: Logger = consoleLogger,
): Promise<Services> {
  return ensureServices(
    { REDIS_URL: env.TEST_REDIS_URL, DATABASE_URL: env.TEST_DATABASE_URL },
    logger,
    defaults,
  );
}

export default async function setup(): Promise<() => Promise<void>> {
  const services = await ensureTestServices(process.env);
  process.env.TEST_REDIS_URL = services.redisUrl;
  process.env.TEST_DATABASE_URL = services.databaseUrl;
  return () => services.stop();
}
