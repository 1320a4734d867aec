import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOAD_TEST_ENDPOINTS, TOPIC0 } from './contracts.js';
import { applySchema } from './db.js';
import { SCHEMA_SQL } from './schema-sql.js';
import {
  LOAD_TEST_EMAIL,
  SEEDED_RATE_LIMIT_PER_SECOND,
  seedEndpoints,
  stableSecret,
  stableUuid,
} from './seeder.js';
import { createTestSchema, type TestSchema } from './test-support.js';

const WEBHOOK = 'http://127.0.0.1:4010/webhook';
const CHAIN = 11155111;

async function snapshot(db: pg.Pool): Promise<Record<string, unknown[]>> {
  const tables = ['users', 'applications', 'endpoints'];
  const result: Record<string, unknown[]> = {};
  for (const table of tables) {
    result[table] = (await db.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
  }
  return result;
}

describe('schema.sql', () => {
  it('is the same text as the module the bundle carries', () => {
    expect(readFileSync(new URL('./schema.sql', import.meta.url), 'utf8')).toBe(SCHEMA_SQL);
  });
});

describe('seedEndpoints', () => {
  let schema: TestSchema;
  const extraSchemas: TestSchema[] = [];

  beforeAll(async () => {
    schema = await createTestSchema();
  });
  afterEach(async () => {
    while (extraSchemas.length > 0) await extraSchemas.pop()!.drop();
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('says plainly that the tables are missing, and touches nothing', async () => {
    const empty = await createTestSchema();
    extraSchemas.push(empty);
    await expect(
      seedEndpoints(empty.pool, { webhookUrl: WEBHOOK, chainId: CHAIN }),
    ).rejects.toThrow(
      "table endpoints not found (also missing: applications, users): has the SUT's migration run? (or pass --apply-schema)",
    );
    const { rows } = await empty.pool.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1`,
      [empty.name],
    );
    expect(rows[0].n).toBe(0);
  });

  it('names missing columns of a schema older than migration 002', async () => {
    const old = await createTestSchema();
    extraSchemas.push(old);
    await applySchema(old.pool);
    await old.pool.query('ALTER TABLE endpoints RENAME COLUMN webhook_url TO url');
    await expect(seedEndpoints(old.pool, { webhookUrl: WEBHOOK, chainId: CHAIN })).rejects.toThrow(
      /table endpoints has no column webhook_url: the SUT's schema predates EthHook's second migration/,
    );
  });

  it('creates the tables when asked, then seeds the five endpoints with topic hashes', async () => {
    const seeded = await seedEndpoints(schema.pool, {
      webhookUrl: WEBHOOK,
      chainId: CHAIN,
      applySchema: true,
    });
    expect(seeded.map((e) => e.name)).toEqual(LOAD_TEST_ENDPOINTS.map((s) => s.endpointName));
    for (const [index, endpoint] of seeded.entries()) {
      const spec = LOAD_TEST_ENDPOINTS[index]!;
      expect(endpoint).toMatchObject({
        webhookUrl: WEBHOOK,
        chainIds: [CHAIN],
        contractAddresses: [spec.contract],
        isActive: true,
      });
      expect(endpoint.secret).toMatch(/^[0-9a-f]{64}$/);
      expect(endpoint.id).toBe(stableUuid(`endpoint/${spec.endpointName}`));
      expect(endpoint.secret).toBe(stableSecret(`endpoint/${spec.endpointName}`));
    }
    expect(seeded.find((e) => e.name === 'WETH All Events')!.eventSignatures).toBeNull();
    expect(seeded.find((e) => e.name === 'USDC Transfers')!.eventSignatures).toEqual([
      TOPIC0.Transfer,
    ]);
    expect(seeded.find((e) => e.name === 'Uniswap V3 Swaps')!.eventSignatures).toEqual([
      TOPIC0.Swap,
    ]);
    const { rows } = await schema.pool.query(
      'SELECT DISTINCT rate_limit_per_second, max_retries, timeout_seconds FROM endpoints',
    );
    expect(rows).toEqual([
      { rate_limit_per_second: SEEDED_RATE_LIMIT_PER_SECOND, max_retries: 5, timeout_seconds: 30 },
    ]);
    // ids are valid UUIDs for Postgres (version 5, RFC 4122 variant).
    expect(seeded[0]!.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('seeding twice leaves exactly the same rows, and leaves unrelated rows alone', async () => {
    await seedEndpoints(schema.pool, { webhookUrl: WEBHOOK, chainId: CHAIN });
    // Someone else's data, including an endpoint on a load-test contract.
    await schema.pool.query(`
      WITH u AS (INSERT INTO users (email, password_hash, full_name) VALUES ('alice@example.com', 'x', 'Alice') RETURNING id),
           a AS (INSERT INTO applications (user_id, name, webhook_secret) SELECT id, 'Alice App', repeat('a', 64) FROM u RETURNING id)
      INSERT INTO endpoints (application_id, name, webhook_url, hmac_secret, contract_addresses, event_signatures, chain_ids)
      SELECT id, 'Alice USDC', 'https://alice.example/hook', repeat('b', 64),
             ARRAY['0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238'], ARRAY['Transfer(address indexed,address indexed,uint256)'], ARRAY[1]
      FROM a`);
    const before = await snapshot(schema.pool);
    await seedEndpoints(schema.pool, { webhookUrl: WEBHOOK, chainId: CHAIN });
    await seedEndpoints(schema.pool, { webhookUrl: WEBHOOK, chainId: CHAIN, applySchema: true });
    expect(await snapshot(schema.pool)).toEqual(before);
    expect(before.users).toHaveLength(2);
    expect(before.endpoints).toHaveLength(6);
  });

  it('follows a new webhook URL and chain, changing only the load-test endpoints', async () => {
    const before = await snapshot(schema.pool);
    const moved = await seedEndpoints(schema.pool, {
      webhookUrl: 'http://host.docker.internal:4999/webhook',
      chainId: 1,
    });
    expect(moved.every((e) => e.webhookUrl === 'http://host.docker.internal:4999/webhook')).toBe(
      true,
    );
    expect(moved.every((e) => e.chainIds?.[0] === 1)).toBe(true);
    const after = await snapshot(schema.pool);
    expect(after.users).toEqual(before.users);
    expect(after.applications).toEqual(before.applications);
    const alice = (rows: unknown[]) =>
      (rows as { name: string }[]).find((row) => row.name === 'Alice USDC');
    expect(alice(after.endpoints!)).toEqual(alice(before.endpoints!));
    const user = await schema.pool.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [
      LOAD_TEST_EMAIL,
    ]);
    expect(user.rows[0].n).toBe(1);
  });

  it('reuses a load-test user that already exists under another id', async () => {
    const other = await createTestSchema();
    extraSchemas.push(other);
    await applySchema(other.pool);
    const existing = await other.pool.query<{ id: string }>(
      `INSERT INTO users (email, password_hash) VALUES ($1, 'kept') RETURNING id`,
      [LOAD_TEST_EMAIL],
    );
    const seeded = await seedEndpoints(other.pool, { webhookUrl: WEBHOOK, chainId: CHAIN });
    const app = await other.pool.query('SELECT user_id FROM applications WHERE id = $1', [
      seeded[0]!.applicationId,
    ]);
    expect(app.rows[0].user_id).toBe(existing.rows[0]!.id);
    const user = await other.pool.query('SELECT password_hash FROM users');
    expect(user.rows).toEqual([{ password_hash: 'kept' }]);
  });

  it('two seeders at once end with one consistent set', async () => {
    const racing = await createTestSchema();
    extraSchemas.push(racing);
    const results = await Promise.all([
      seedEndpoints(racing.pool, { webhookUrl: WEBHOOK, chainId: CHAIN, applySchema: true }),
      seedEndpoints(racing.pool, { webhookUrl: WEBHOOK, chainId: CHAIN, applySchema: true }),
    ]);
    expect(results[0]).toEqual(results[1]);
    const { rows } = await racing.pool.query('SELECT count(*)::int AS n FROM endpoints');
    expect(rows[0].n).toBe(5);
  });
});
