import type pg from 'pg';
import { endpointMatches, type MatchableEndpoint } from '../stack/matching.js';
import type { WebhookEvent } from './job.js';

/** What the processor needs of a matching endpoint to build a delivery job. */
export interface MatchedEndpoint {
  endpointId: string;
  applicationId: string;
  url: string;
  hmacSecret: string;
  rateLimitPerSecond: number;
  maxRetries: number;
  timeoutSeconds: number;
}

export interface EndpointMatcher {
  /** Called once before each batch read from the stream. */
  beginBatch(): Promise<void>;
  match(event: WebhookEvent): Promise<MatchedEndpoint[]>;
}

interface EndpointRow {
  id: string;
  application_id: string;
  webhook_url: string;
  hmac_secret: string;
  rate_limit_per_second: number | null;
  max_retries: number | null;
  timeout_seconds: number | null;
}

const COLUMNS = `id, application_id, webhook_url, hmac_secret, rate_limit_per_second, max_retries,
  timeout_seconds`;

/**
 * EthHook's rule (src/stack/matching.ts documents it) as one query, the way its processor runs it:
 * once per event. `<@` is array containment; the contract comparison ignores case.
 */
const MATCH_SQL = `SELECT ${COLUMNS}
  FROM endpoints
 WHERE is_active = true
   AND (chain_ids IS NULL OR $3::integer = ANY (chain_ids))
   AND (contract_addresses IS NULL
        OR lower($1::text) IN (SELECT lower(address) FROM unnest(contract_addresses) AS address))
   AND (event_signatures IS NULL OR event_signatures <@ $2::text[])`;

// EthHook's columns have defaults but are nullable; a NULL falls back to the column default.
function toMatched(row: EndpointRow): MatchedEndpoint {
  return {
    endpointId: row.id,
    applicationId: row.application_id,
    url: row.webhook_url,
    hmacSecret: row.hmac_secret,
    rateLimitPerSecond: row.rate_limit_per_second ?? 10,
    maxRetries: row.max_retries ?? 5,
    timeoutSeconds: row.timeout_seconds ?? 30,
  };
}

export class SqlEndpointMatcher implements EndpointMatcher {
  constructor(private readonly pool: pg.Pool) {}

  async beginBatch(): Promise<void> {}

  async match(event: WebhookEvent): Promise<MatchedEndpoint[]> {
    const { rows } = await this.pool.query<EndpointRow>({
      name: 'reference-match-endpoints',
      text: MATCH_SQL,
      values: [event.contract_address, event.topics, event.chain_id],
    });
    return rows.map(toMatched);
  }
}

type CachedEndpoint = MatchableEndpoint & { matched: MatchedEndpoint };

/**
 * Matches in memory. Before each batch one cheap query fingerprints the table (row count and the
 * newest row version); the list is reloaded only when that changed, so an endpoint seeded or
 * edited just before publishing is never missed, yet a busy batch costs one query, not one each.
 */
export class CachedEndpointMatcher implements EndpointMatcher {
  private endpoints: CachedEndpoint[] = [];
  private fingerprint = '';

  constructor(private readonly pool: pg.Pool) {}

  async beginBatch(): Promise<void> {
    const { rows } = await this.pool.query<{ fingerprint: string }>({
      name: 'reference-endpoints-fingerprint',
      text: `SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) AS fingerprint
               FROM endpoints`,
    });
    const fingerprint = rows[0]!.fingerprint;
    if (fingerprint === this.fingerprint) return;
    const loaded = await this.pool.query<
      EndpointRow & {
        chain_ids: number[] | null;
        contract_addresses: string[] | null;
        event_signatures: string[] | null;
      }
    >(`SELECT ${COLUMNS}, chain_ids, contract_addresses, event_signatures
         FROM endpoints WHERE is_active = true`);
    this.endpoints = loaded.rows.map((row) => ({
      isActive: true,
      chainIds: row.chain_ids,
      contractAddresses: row.contract_addresses,
      eventSignatures: row.event_signatures,
      matched: toMatched(row),
    }));
    this.fingerprint = fingerprint;
  }

  async match(event: WebhookEvent): Promise<MatchedEndpoint[]> {
    const matchable = {
      chainId: event.chain_id,
      contract: event.contract_address,
      topics: event.topics,
    };
    const result: MatchedEndpoint[] = [];
    for (const endpoint of this.endpoints) {
      if (endpointMatches(endpoint, matchable)) result.push(endpoint.matched);
    }
    return result;
  }
}
