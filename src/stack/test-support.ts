import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

/**
 * Test isolation on the shared PostgreSQL: each test file gets its own schema and a connection URL
 * whose search_path points only there, so parallel files (and other engineers' runs) never see
 * each other's tables. Tests only; nothing in the product imports this.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The repository's root: where the CLI's sources, bin/ and dist/ are. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * How tests start the CLI: `node ...TEST_CLI_ARGS <command>`, from any working directory. The
 * bundle scripts/test-cli.ts builds once per run (a third of tsx's start-up), else the sources
 * through tsx, both by absolute path.
 */
export const TEST_CLI_ARGS: readonly string[] = process.env.TEST_CLI
  ? [process.env.TEST_CLI]
  : [
      '--import',
      pathToFileURL(path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
      path.join(REPO_ROOT, 'src', 'cli', 'index.ts'),
    ];

export interface TestSchema {
  name: string;
  /** TEST_DATABASE_URL with `options=-c search_path=<name>`. */
  url: string;
  /** A small pool on `url`. */
  pool: pg.Pool;
  /** Ends the pool and drops the schema with everything in it. */
  drop(): Promise<void>;
}

export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

export function urlWithSearchPath(baseUrl: string, schema: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export async function createTestSchema(prefix = 'lt'): Promise<TestSchema> {
  const name = `${prefix}_${uniqueSuffix()}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  const url = urlWithSearchPath(TEST_DATABASE_URL, name);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
