import pg from 'pg';
import { maskUrl } from '../shared/redact.js';
import { SCHEMA_SQL } from './schema-sql.js';

/** Either one connection or a pool; the stack's functions take whichever the caller has. */
export type Database = pg.ClientBase | pg.Pool;

/** Serialises schema creation and seeding across processes (CREATE ... IF NOT EXISTS can race). */
const STACK_LOCK_KEY = 0x6574_686c_74; // "ethlt"

/**
 * Runs `work` in one transaction on one connection, holding the stack's advisory lock, so two
 * seeders (or a seeder and a processor applying the schema) never interleave.
 */
export async function withStackTransaction<T>(
  db: Database,
  work: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  const pooled = db instanceof pg.Pool ? await db.connect() : null;
  const client: pg.ClientBase = pooled ?? (db as pg.ClientBase);
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [STACK_LOCK_KEY]);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    pooled?.release();
  }
}

/** Creates EthHook's five tables and their indexes where missing; leaves existing ones alone. */
export async function applySchema(db: Database): Promise<void> {
  await withStackTransaction(db, (client) => applySchemaIn(client));
}

export async function applySchemaIn(client: pg.ClientBase): Promise<void> {
  await client.query(SCHEMA_SQL);
}

/** The tables of `names` that the connection's search_path does not reach. */
export async function missingTables(
  client: pg.ClientBase,
  names: readonly string[],
): Promise<string[]> {
  const { rows } = await client.query<{ name: string; found: boolean }>(
    'SELECT name, to_regclass(name) IS NOT NULL AS found FROM unnest($1::text[]) AS name',
    [names],
  );
  return rows.filter((row) => !row.found).map((row) => row.name);
}

/** The columns of `table` among `wanted` that it lacks (e.g. a schema older than migration 002). */
export async function missingColumns(
  client: pg.ClientBase,
  table: string,
  wanted: readonly string[],
): Promise<string[]> {
  const { rows } = await client.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
    [table],
  );
  const present = new Set(rows.map((row) => row.attname));
  return wanted.filter((column) => !present.has(column));
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '28P01', // invalid password
  '28000', // no pg_hba.conf entry / role does not exist
  '3D000', // database does not exist
  '57P03', // the database system is starting up
]);

/**
 * A sentence for a failure to reach PostgreSQL at `databaseUrl` (password masked), or null when
 * the error is something else (a bug, or a schema problem with its own message).
 */
export function describeConnectionError(error: unknown, databaseUrl: string): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const timedOut = /timeout/i.test(message) && /connect/i.test(message);
  if ((typeof code === 'string' && CONNECTION_CODES.has(code)) || timedOut) {
    return `cannot connect to PostgreSQL at ${maskUrl(databaseUrl)}: ${message || code}`;
  }
  return null;
}
