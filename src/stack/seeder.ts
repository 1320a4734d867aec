import { createHash } from 'node:crypto';
import type pg from 'pg';
import { LOAD_TEST_ENDPOINTS, type LoadTestEndpointSpec } from './contracts.js';
import {
  applySchemaIn,
  missingColumns,
  missingTables,
  withStackTransaction,
  type Database,
} from './db.js';

export { applySchema } from './db.js';

export interface SeedOptions {
  /** The URL the SUT must POST to (e.g. http://host.docker.internal:PORT/webhook). */
  webhookUrl: string;
  /** chain_ids of the seeded endpoints. */
  chainId: number;
  /** Create the tables from schema.sql when missing (standalone use, tests, quick start). */
  applySchema?: boolean;
}

export interface SeededEndpoint {
  id: string;
  applicationId: string;
  name: string;
  secret: string;
  webhookUrl: string;
  contractAddresses: string[] | null;
  eventSignatures: string[] | null;
  chainIds: number[] | null;
  isActive: boolean;
}

/** The seeded user's email: `.invalid` is reserved (RFC 2606), so it is nobody's real address. */
export const LOAD_TEST_EMAIL = 'load-test@ethhook.invalid';
export const LOAD_TEST_APP_NAME = 'Load Test App';

/**
 * EthHook's delivery carries rate_limit_per_second in every job but does not enforce it (its
 * workers have no limiter). A SUT that does enforce it must not throttle the load test, or the
 * test would measure our own setting: 100,000/s is ten times the fastest scenario (burst, 10,000
 * events/s), even if a mix sends every event to one endpoint.
 */
export const SEEDED_RATE_LIMIT_PER_SECOND = 100_000;
export const SEEDED_MAX_RETRIES = 5;
export const SEEDED_TIMEOUT_SECONDS = 30;

/** Namespace of the name-based UUIDs below (fixed forever: changing it orphans seeded rows). */
const ID_NAMESPACE = 'a3c1f0d2-7b4e-5c86-9e21-4f7d0b6a8e53';

/** A name-based (version 5, SHA-1) UUID: the same name gives the same id on every machine. */
export function stableUuid(name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(ID_NAMESPACE.replaceAll('-', ''), 'hex'))
    .update(name)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A known secret of 64 hex characters (fits varchar(64)). These protect test traffic only; being
 * derivable is the point: any tool can verify the load test's signatures without the database.
 */
export function stableSecret(name: string): string {
  return createHash('sha256').update(`ethhook-load-test/${name}`).digest('hex');
}

export function endpointIdFor(spec: LoadTestEndpointSpec): string {
  return stableUuid(`endpoint/${spec.endpointName}`);
}

export function endpointSecretFor(spec: LoadTestEndpointSpec): string {
  return stableSecret(`endpoint/${spec.endpointName}`);
}

export const LOAD_TEST_APPLICATION_ID = stableUuid(`application/${LOAD_TEST_APP_NAME}`);
const LOAD_TEST_USER_ID = stableUuid(`user/${LOAD_TEST_EMAIL}`);

/** The columns the seeder writes; a table lacking one predates EthHook's migration 002. */
const WRITTEN_COLUMNS: Record<string, readonly string[]> = {
  users: ['id', 'email', 'password_hash', 'full_name', 'name'],
  applications: [
    'id',
    'user_id',
    'name',
    'description',
    'webhook_secret',
    'is_active',
    'api_key',
    'updated_at',
  ],
  endpoints: [
    'id',
    'application_id',
    'name',
    'webhook_url',
    'hmac_secret',
    'contract_addresses',
    'event_signatures',
    'chain_ids',
    'rate_limit_per_second',
    'max_retries',
    'timeout_seconds',
    'is_active',
    'description',
    'updated_at',
  ],
};

/** Raised when the SUT's tables are missing or too old; the message says what to do. */
export class SchemaNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaNotReadyError';
  }
}

async function ensureSchema(client: pg.ClientBase, applyWhenMissing: boolean): Promise<void> {
  // endpoints first: it is the table a reader recognises ("table endpoints not found").
  const tables = ['endpoints', 'applications', 'users'];
  let missing = await missingTables(client, tables);
  if (missing.length > 0 && applyWhenMissing) {
    await applySchemaIn(client);
    missing = await missingTables(client, tables);
  }
  if (missing.length > 0) {
    const [first, ...others] = missing;
    const also = others.length > 0 ? ` (also missing: ${others.join(', ')})` : '';
    throw new SchemaNotReadyError(
      `table ${first} not found${also}: has the SUT's migration run? (or pass --apply-schema)`,
    );
  }
  for (const [table, columns] of Object.entries(WRITTEN_COLUMNS)) {
    const absent = await missingColumns(client, table, columns);
    if (absent.length > 0) {
      throw new SchemaNotReadyError(
        `table ${table} has no column ${absent.join(', ')}: the SUT's schema predates EthHook's ` +
          `second migration (002_align_schema_with_admin_api.sql); run its migrations first`,
      );
    }
  }
}

/**
 * Creates or refreshes the load-test user, the "Load Test App" application and the five endpoints
 * of DESIGN.md, and returns the endpoints as stored.
 *
 * Idempotent: ids are name-based UUIDs, every write is an upsert that changes a row (and its
 * updated_at) only when a value differs, so seeding twice with the same options leaves identical
 * rows. Only these seven rows are ever written; nothing is deleted. webhook_url and chain_ids
 * follow the options on every call, because the receiver's port can change between runs.
 */
export async function seedEndpoints(db: Database, options: SeedOptions): Promise<SeededEndpoint[]> {
  return withStackTransaction(db, async (client) => {
    await ensureSchema(client, options.applySchema ?? false);

    // The user is keyed on its unique email; an existing one is reused untouched.
    await client.query(
      `INSERT INTO users (id, email, password_hash, full_name, name)
       VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (email) DO NOTHING`,
      // '!' is no hash of any password: nobody can log in as the load-test user.
      [LOAD_TEST_USER_ID, LOAD_TEST_EMAIL, '!', 'EthHook Load Test'],
    );
    const user = await client.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [
      LOAD_TEST_EMAIL,
    ]);
    const userId = user.rows[0]!.id;

    await client.query(
      `INSERT INTO applications (id, user_id, name, description, webhook_secret, is_active, api_key)
       VALUES ($1, $2, $3, $4, $5, true, $6)
       ON CONFLICT (id) DO UPDATE SET
         user_id = EXCLUDED.user_id, name = EXCLUDED.name, description = EXCLUDED.description,
         webhook_secret = EXCLUDED.webhook_secret, is_active = EXCLUDED.is_active,
         api_key = EXCLUDED.api_key, updated_at = NOW()
       WHERE (applications.user_id, applications.name, applications.description,
              applications.webhook_secret, applications.is_active, applications.api_key)
         IS DISTINCT FROM (EXCLUDED.user_id, EXCLUDED.name, EXCLUDED.description,
              EXCLUDED.webhook_secret, EXCLUDED.is_active, EXCLUDED.api_key)`,
      [
        LOAD_TEST_APPLICATION_ID,
        userId,
        LOAD_TEST_APP_NAME,
        'Seeded by ethhook-load-test; safe to delete between runs.',
        stableSecret(`application/${LOAD_TEST_APP_NAME}`),
        `ethhook-load-test-${stableSecret(`api-key/${LOAD_TEST_APP_NAME}`).slice(0, 32)}`,
      ],
    );

    for (const spec of LOAD_TEST_ENDPOINTS) {
      await client.query(
        `INSERT INTO endpoints (id, application_id, name, webhook_url, hmac_secret,
           contract_addresses, event_signatures, chain_ids, rate_limit_per_second, max_retries,
           timeout_seconds, is_active, description)
         VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8::integer[], $9, $10, $11, true, $12)
         ON CONFLICT (id) DO UPDATE SET
           application_id = EXCLUDED.application_id, name = EXCLUDED.name,
           webhook_url = EXCLUDED.webhook_url, hmac_secret = EXCLUDED.hmac_secret,
           contract_addresses = EXCLUDED.contract_addresses,
           event_signatures = EXCLUDED.event_signatures, chain_ids = EXCLUDED.chain_ids,
           rate_limit_per_second = EXCLUDED.rate_limit_per_second,
           max_retries = EXCLUDED.max_retries, timeout_seconds = EXCLUDED.timeout_seconds,
           is_active = EXCLUDED.is_active, description = EXCLUDED.description, updated_at = NOW()
         WHERE (endpoints.application_id, endpoints.name, endpoints.webhook_url,
                endpoints.hmac_secret, endpoints.contract_addresses, endpoints.event_signatures,
                endpoints.chain_ids, endpoints.rate_limit_per_second, endpoints.max_retries,
                endpoints.timeout_seconds, endpoints.is_active, endpoints.description)
           IS DISTINCT FROM (EXCLUDED.application_id, EXCLUDED.name, EXCLUDED.webhook_url,
                EXCLUDED.hmac_secret, EXCLUDED.contract_addresses, EXCLUDED.event_signatures,
                EXCLUDED.chain_ids, EXCLUDED.rate_limit_per_second, EXCLUDED.max_retries,
                EXCLUDED.timeout_seconds, EXCLUDED.is_active, EXCLUDED.description)`,
        [
          endpointIdFor(spec),
          LOAD_TEST_APPLICATION_ID,
          spec.endpointName,
          options.webhookUrl,
          endpointSecretFor(spec),
          [spec.contract],
          spec.eventSignatures,
          [options.chainId],
          SEEDED_RATE_LIMIT_PER_SECOND,
          SEEDED_MAX_RETRIES,
          SEEDED_TIMEOUT_SECONDS,
          `ethhook-load-test: ${spec.emits.join(', ')} of ${spec.key.toUpperCase()}`,
        ],
      );
    }

    return readSeededEndpoints(client);
  });
}

interface EndpointRow {
  id: string;
  application_id: string;
  name: string;
  hmac_secret: string;
  webhook_url: string;
  contract_addresses: string[] | null;
  event_signatures: string[] | null;
  chain_ids: number[] | null;
  is_active: boolean | null;
}

/** The five load-test endpoints as currently stored, in DESIGN.md's order. */
export async function readSeededEndpoints(db: Database): Promise<SeededEndpoint[]> {
  const ids = LOAD_TEST_ENDPOINTS.map(endpointIdFor);
  const { rows } = await db.query<EndpointRow>(
    `SELECT id, application_id, name, hmac_secret, webhook_url, contract_addresses,
            event_signatures, chain_ids, is_active
       FROM endpoints WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    return [
      {
        id: row.id,
        applicationId: row.application_id,
        name: row.name,
        secret: row.hmac_secret,
        webhookUrl: row.webhook_url,
        contractAddresses: row.contract_addresses,
        eventSignatures: row.event_signatures,
        chainIds: row.chain_ids,
        // EthHook's column is nullable with default true; its matcher requires `= true`.
        isActive: row.is_active === true,
      },
    ];
  });
}
