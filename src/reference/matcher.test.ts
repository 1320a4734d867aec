import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPIC0 } from '../stack/contracts.js';
import { applySchema } from '../stack/db.js';
import { matchingEndpoints } from '../stack/matching.js';
import { createTestSchema, type TestSchema } from '../stack/test-support.js';
import type { WebhookEvent } from './job.js';
import { CachedEndpointMatcher, SqlEndpointMatcher } from './matcher.js';

const USDC = '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238';
const WETH = '0x7b79995e5f793A07Bc00c21412e50Ecae098E7f9';
const ALICE = `0x${'0'.repeat(24)}${'a1'.repeat(20)}`;

/** Endpoints covering every edge of the rule: [name, is_active, chain_ids, contracts, signatures]. */
const ENDPOINTS: [string, boolean | null, number[] | null, string[] | null, string[] | null][] = [
  ['usdc transfer', true, [1], [USDC], [TOPIC0.Transfer]],
  ['usdc lower-case', true, [1], [USDC.toLowerCase()], [TOPIC0.Transfer]],
  ['any contract transfer', true, null, null, [TOPIC0.Transfer]],
  ['weth all', true, [1], [WETH], null],
  ['weth three hashes', true, [1], [WETH], [TOPIC0.Transfer, TOPIC0.Deposit, TOPIC0.Withdrawal]],
  ['transfer to alice', true, [1], null, [TOPIC0.Transfer, ALICE]],
  ['human-readable', true, [1], [USDC], ['Transfer(address indexed,address indexed,uint256)']],
  ['empty signatures', true, [1], [USDC], []],
  ['empty contracts', true, [1], [], null],
  ['empty chains', true, [], null, null],
  ['other chain', true, [10], null, null],
  ['inactive', false, null, null, null],
  ['active null', null, null, null, null],
  ['everything', true, null, null, null],
];

const event = (chainId: number, contract: string, topics: string[]): WebhookEvent => ({
  chain_id: chainId,
  block_number: 1,
  block_hash: `0x${'0'.repeat(64)}`,
  transaction_hash: `0x${'1'.repeat(64)}`,
  log_index: 0,
  contract_address: contract,
  topics,
  data: '0x',
  timestamp: 0,
});

const EVENTS: WebhookEvent[] = [
  event(1, USDC, [TOPIC0.Transfer, ALICE, ALICE]),
  event(1, USDC.toUpperCase().replace('0X', '0x'), [TOPIC0.Transfer]),
  event(1, WETH, [TOPIC0.Deposit, ALICE]),
  event(1, WETH, [TOPIC0.Transfer, ALICE]),
  event(10, WETH, [TOPIC0.Withdrawal, ALICE]),
  event(5, '0x0000000000000000000000000000000000000001', [TOPIC0.Swap]),
];

describe('SQL and cached matching agree with the in-memory rule', () => {
  let schema: TestSchema;
  let names: Map<string, string>;

  beforeAll(async () => {
    schema = await createTestSchema('match');
    await applySchema(schema.pool);
    const { rows } = await schema.pool.query<{ id: string }>(
      `WITH u AS (INSERT INTO users (email, password_hash) VALUES ('m@x.invalid', '!') RETURNING id)
       INSERT INTO applications (user_id, name, webhook_secret) SELECT id, 'm', repeat('0', 64) FROM u
       RETURNING id`,
    );
    for (const [name, active, chains, contracts, signatures] of ENDPOINTS) {
      await schema.pool.query(
        `INSERT INTO endpoints (application_id, name, webhook_url, hmac_secret, is_active,
           chain_ids, contract_addresses, event_signatures)
         VALUES ($1, $2, 'http://127.0.0.1:9/', repeat('0', 64), $3, $4, $5, $6)`,
        [rows[0]!.id, name, active, chains, contracts, signatures],
      );
    }
    const all = await schema.pool.query<{ id: string; name: string }>(
      'SELECT id, name FROM endpoints',
    );
    names = new Map(all.rows.map((row) => [row.id, row.name]));
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('for every edge case', async () => {
    const sql = new SqlEndpointMatcher(schema.pool);
    const cached = new CachedEndpointMatcher(schema.pool);
    await cached.beginBatch();
    const rule = ENDPOINTS.map(([name, active, chainIds, contractAddresses, eventSignatures]) => ({
      name,
      isActive: active === true,
      chainIds,
      contractAddresses,
      eventSignatures,
    }));
    for (const e of EVENTS) {
      const matchable = { chainId: e.chain_id, contract: e.contract_address, topics: e.topics };
      const expected = matchingEndpoints(rule, matchable)
        .map((r) => r.name)
        .sort();
      const bySql = (await sql.match(e)).map((m) => names.get(m.endpointId)!).sort();
      const byCache = (await cached.match(e)).map((m) => names.get(m.endpointId)!).sort();
      expect({ event: matchable, names: bySql }).toEqual({ event: matchable, names: expected });
      expect(byCache).toEqual(expected);
    }
    // The cases are not vacuous: the first event matches several, the last only the catch-alls.
    expect(
      matchingEndpoints(rule, { chainId: 1, contract: USDC, topics: EVENTS[0]!.topics })
        .map((r) => r.name)
        .sort(),
    ).toEqual(
      [
        'usdc transfer',
        'usdc lower-case',
        'any contract transfer',
        'transfer to alice',
        'empty signatures',
        'everything',
      ].sort(),
    );
  });
});
