import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { streamKey } from '../stack/contracts.js';
import type { Logger } from '../engine/log.js';
import type { ReferenceConfig } from './config.js';
import { DelayTimer } from './delay-timer.js';
import { parseStreamEntry, type DeliveryJob, type WebhookEvent } from './job.js';
import { CachedEndpointMatcher, SqlEndpointMatcher, type EndpointMatcher } from './matcher.js';
import { BlockingConnection, commandConnection, settleUnblocking } from './redis.js';

export interface ProcessorStats {
  /** Stream entries read (and acknowledged). */
  entriesRead: number;
  /** Events that matched at least one endpoint and were turned into jobs. */
  eventsMatched: number;
  eventsUnmatched: number;
  jobsQueued: number;
  malformedEntries: number;
  /** Matching queries that failed: EthHook skips (and acknowledges) such events. */
  matchErrors: number;
  queueErrors: number;
}

type XReadGroupReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

export type ProcessorConfig = Pick<
  ReferenceConfig,
  | 'chainIds'
  | 'consumerGroup'
  | 'consumerName'
  | 'batchSize'
  | 'blockMs'
  | 'deliveryQueue'
  | 'processingDelayMs'
  | 'endpointCache'
  | 'storeEvents'
  | 'redisUrl'
  | 'shutdownTimeoutMs'
>;

const STORE_EVENT_SQL = `INSERT INTO events (block_number, block_hash, transaction_hash, log_index,
    contract_address, topics, data)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (transaction_hash, log_index) DO NOTHING`;

/**
 * EthHook's message processor: one consumer-group reader per chain stream; for each entry, match
 * endpoints, store the event, LPUSH one delivery job per endpoint; then XACK the batch. Events are
 * handled one after another within a batch, as in EthHook, so a slow query slows the stream.
 *
 * One deliberate difference: a malformed entry is logged, skipped and acknowledged. EthHook fails
 * the whole read on it, which leaves the batch unprocessed in the pending list for good.
 */
export class MessageProcessor {
  readonly stats: ProcessorStats = {
    entriesRead: 0,
    eventsMatched: 0,
    eventsUnmatched: 0,
    jobsQueued: 0,
    malformedEntries: 0,
    matchErrors: 0,
    queueErrors: 0,
  };

  private readonly commands: Redis;
  private readonly matcher: EndpointMatcher;
  private readers: BlockingConnection[] = [];
  private loops: Promise<void>[] = [];
  private stopping = false;
  private started = false;
  private readonly wakeUp = new AbortController();
  /** The injected processing delay's timer, which leaves the CPU idle while it waits. */
  private readonly delayTimer: DelayTimer | null;

  constructor(
    private readonly config: ProcessorConfig,
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {
    this.commands = commandConnection(config.redisUrl, 'reference-processor', logger);
    this.delayTimer = config.processingDelayMs > 0 ? new DelayTimer() : null;
    this.matcher = config.endpointCache
      ? new CachedEndpointMatcher(pool)
      : new SqlEndpointMatcher(pool);
  }

  get streamKeys(): string[] {
    return this.config.chainIds.map(streamKey);
  }

  /** Creates the consumer groups, then starts one reader per stream. */
  async start(): Promise<void> {
    for (const key of this.streamKeys) await this.ensureGroup(key);
    for (const key of this.streamKeys) {
      const reader = new BlockingConnection(
        this.config.redisUrl,
        `reference-processor:${key}`,
        this.logger,
      );
      await reader.ready();
      this.readers.push(reader);
      this.loops.push(this.readLoop(key, reader));
    }
    this.started = true;
  }

  /** Ready: started, PostgreSQL and Redis answer, and every stream has the consumer group. */
  async readiness(): Promise<{ ready: boolean; problems: string[] }> {
    const problems: string[] = [];
    if (!this.started || this.stopping) problems.push(this.stopping ? 'stopping' : 'starting');
    await Promise.all([
      this.pool.query('SELECT 1').catch((error: Error) => {
        problems.push(`PostgreSQL: ${error.message}`);
      }),
      (async () => {
        for (const key of this.streamKeys) {
          if ((await this.commands.exists(key)) === 0) {
            problems.push(`stream ${key} does not exist`);
            continue;
          }
          const groups = (await this.commands.xinfo('GROUPS', key)) as unknown[][];
          const names = groups.map((fields) => String(fields[fields.indexOf('name') + 1]));
          if (!names.includes(this.config.consumerGroup)) {
            problems.push(`no consumer group ${this.config.consumerGroup} on ${key}`);
          }
        }
      })().catch((error: Error) => {
        problems.push(`Redis: ${error.message}`);
      }),
    ]);
    return { ready: problems.length === 0, problems };
  }

  /** Stops reading, finishes the batch in hand (jobs pushed, entries acknowledged), disconnects. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wakeUp.abort();
    const finished = await settleUnblocking(
      this.loops,
      this.readers,
      this.commands,
      this.config.shutdownTimeoutMs,
    );
    if (!finished) this.logger.warn('processor: shutdown timeout; closing with work in progress');
    for (const reader of this.readers) reader.close();
    this.commands.disconnect();
    await this.delayTimer?.close();
  }

  private async ensureGroup(key: string): Promise<void> {
    try {
      await this.commands.xgroup('CREATE', key, this.config.consumerGroup, '$', 'MKSTREAM');
      this.logger.info(`processor: created consumer group ${this.config.consumerGroup} on ${key}`);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('BUSYGROUP')) throw error;
    }
  }

  private async readLoop(key: string, reader: BlockingConnection): Promise<void> {
    const { consumerGroup, consumerName, batchSize, blockMs } = this.config;
    while (!this.stopping) {
      let reply: XReadGroupReply;
      try {
        reply = (await reader.redis.xreadgroup(
          'GROUP',
          consumerGroup,
          consumerName,
          'COUNT',
          batchSize,
          'BLOCK',
          blockMs,
          'STREAMS',
          key,
          '>',
        )) as XReadGroupReply;
      } catch (error) {
        if (this.stopping) break;
        const message = error instanceof Error ? error.message : String(error);
        if (message.includes('NOGROUP')) {
          // The stream (or its group) was deleted under us: recreate it, as EthHook does.
          await this.ensureGroup(key).catch(() => undefined);
          continue;
        }
        this.logger.warn(`processor: reading ${key} failed: ${message}; retrying in 1 s`);
        await this.pause(1_000);
        continue;
      }
      const entries = reply?.[0]?.[1];
      if (!entries || entries.length === 0) continue;
      await this.processBatch(key, entries);
    }
  }

  private async processBatch(key: string, entries: [string, string[]][]): Promise<void> {
    const readAt = performance.now();
    const ids: string[] = [];
    let matcherReady = true;
    try {
      await this.matcher.beginBatch();
    } catch (error) {
      matcherReady = false;
      this.logger.warn(`processor: loading endpoints failed: ${(error as Error).message}`);
    }
    for (const [id, fields] of entries) {
      ids.push(id);
      this.stats.entriesRead++;
      let event: WebhookEvent;
      try {
        event = parseStreamEntry(fields);
      } catch (error) {
        this.stats.malformedEntries++;
        this.logger.warn(
          `processor: skipping malformed entry ${id} on ${key}: ${(error as Error).message}`,
        );
        continue;
      }
      await this.delayTimer?.waitUntil(readAt + this.config.processingDelayMs);
      await this.processEvent(event, matcherReady);
    }
    try {
      await this.commands.xack(key, this.config.consumerGroup, ...ids);
    } catch (error) {
      // Unacknowledged entries stay in the pending list; nothing is lost from the stream.
      this.logger.warn(`processor: XACK on ${key} failed: ${(error as Error).message}`);
    }
  }

  private async processEvent(event: WebhookEvent, matcherReady: boolean): Promise<void> {
    let endpoints;
    try {
      if (!matcherReady) throw new Error('endpoint list unavailable');
      endpoints = await this.matcher.match(event);
    } catch (error) {
      this.stats.matchErrors++;
      this.logger.warn(
        `processor: matching ${event.transaction_hash} failed: ${(error as Error).message}`,
      );
      return;
    }
    if (endpoints.length === 0) {
      this.stats.eventsUnmatched++;
      return;
    }
    this.stats.eventsMatched++;
    if (this.config.storeEvents) {
      try {
        await this.pool.query({
          name: 'reference-store-event',
          text: STORE_EVENT_SQL,
          values: [
            event.block_number,
            event.block_hash,
            event.transaction_hash,
            event.log_index,
            event.contract_address,
            event.topics,
            event.data,
          ],
        });
      } catch (error) {
        // As in EthHook: the event is still delivered; only the dashboard misses it.
        this.logger.warn(
          `processor: storing ${event.transaction_hash} failed: ${(error as Error).message}`,
        );
      }
    }
    for (const endpoint of endpoints) {
      const job: DeliveryJob = {
        endpoint_id: endpoint.endpointId,
        application_id: endpoint.applicationId,
        url: endpoint.url,
        hmac_secret: endpoint.hmacSecret,
        event,
        attempt: 1,
        max_retries: endpoint.maxRetries,
        timeout_seconds: endpoint.timeoutSeconds,
        rate_limit_per_second: endpoint.rateLimitPerSecond,
      };
      try {
        await this.commands.lpush(this.config.deliveryQueue, JSON.stringify(job));
        this.stats.jobsQueued++;
      } catch (error) {
        this.stats.queueErrors++;
        this.logger.warn(
          `processor: queueing a job for ${endpoint.endpointId} failed: ${(error as Error).message}`,
        );
      }
    }
  }

  /** Sleeps, but wakes at once when stop() is called. */
  private pause(ms: number): Promise<void> {
    return delay(ms, undefined, { signal: this.wakeUp.signal }).catch(() => undefined);
  }
}
