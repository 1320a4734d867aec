import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '../engine/log.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { ReferenceConfig } from './config.js';
import { WebhookClient } from './http-post.js';
import { signBody } from '../engine/receiver/signature.js';
import { parseDeliveryJob, webhookBody, type DeliveryJob } from './job.js';
import { BlockingConnection, commandConnection, settleUnblocking } from './redis.js';
import { backoffMs, isRetryableStatus } from './retry.js';

export interface DeliveryStats {
  jobsTaken: number;
  attempts: number;
  delivered: number;
  /** Attempts that were followed by another attempt. */
  retries: number;
  /** Jobs given up: a non-retryable answer, or max_retries attempts used. */
  failedPermanently: number;
  /** Jobs dropped because their endpoint's circuit was open. */
  skippedByBreaker: number;
  malformedJobs: number;
  /** Jobs put back on the queue at shutdown while waiting to retry. */
  requeued: number;
}

export type DeliveryConfig = Pick<
  ReferenceConfig,
  | 'redisUrl'
  | 'deliveryQueue'
  | 'workers'
  | 'logAttempts'
  | 'retryBaseDelayMs'
  | 'retryMaxDelayMs'
  | 'circuitBreakerThreshold'
  | 'circuitBreakerTimeoutMs'
  | 'shutdownTimeoutMs'
  | 'holdEvery'
  | 'holdMs'
>;

interface AttemptResult {
  success: boolean;
  status: number | null;
  responseBody: string | null;
  errorMessage: string | null;
  durationMs: number;
  shouldRetry: boolean;
}

/** BRPOP timeout, seconds (EthHook's). */
const POP_TIMEOUT_SEC = 5;

/**
 * EthHook's webhook delivery: `workers` workers, each with its own Redis connection, BRPOP the
 * queue and POST the event, signed, retrying in place with exponential backoff. Each attempt is
 * logged to delivery_attempts. EthHook carries rate_limit_per_second in the job but enforces no
 * limit, so neither does this.
 */
export class WebhookDelivery {
  readonly stats: DeliveryStats = {
    jobsTaken: 0,
    attempts: 0,
    delivered: 0,
    retries: 0,
    failedPermanently: 0,
    skippedByBreaker: 0,
    malformedJobs: 0,
    requeued: 0,
  };

  private readonly commands: Redis;
  private readonly client: WebhookClient;
  private readonly breaker: CircuitBreaker;
  private connections: BlockingConnection[] = [];
  private workers: Promise<void>[] = [];
  private stopping = false;
  /** Jobs taken, for the injected tail (holdEvery). */
  private jobsSeen = 0;
  private readonly wakeUp = new AbortController();

  constructor(
    private readonly config: DeliveryConfig,
    private readonly pool: pg.Pool | null,
    private readonly logger: Logger,
  ) {
    this.commands = commandConnection(config.redisUrl, 'reference-delivery', logger);
    // Each worker sleeping out a backoff listens on the one stop signal: with more than 10
    // workers, Node's default limit warned of a leak that is not one.
    setMaxListeners(config.workers + 1, this.wakeUp.signal);
    this.client = new WebhookClient(config.workers);
    this.breaker = new CircuitBreaker(
      config.circuitBreakerThreshold,
      config.circuitBreakerTimeoutMs,
    );
  }

  /** Connects every worker, then starts them (EthHook waits on a barrier the same way). */
  async start(): Promise<void> {
    this.connections = Array.from(
      { length: this.config.workers },
      (_, index) =>
        new BlockingConnection(this.config.redisUrl, `reference-delivery:${index}`, this.logger),
    );
    await Promise.all(this.connections.map((connection) => connection.ready()));
    this.workers = this.connections.map((connection) => this.work(connection));
  }

  get ready(): boolean {
    return this.workers.length === this.config.workers && !this.stopping;
  }

  /** Stops taking jobs, lets in-flight requests finish, requeues jobs waiting to retry. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wakeUp.abort();
    const finished = await settleUnblocking(
      this.workers,
      this.connections,
      this.commands,
      this.config.shutdownTimeoutMs,
    );
    if (!finished) this.logger.warn('delivery: shutdown timeout; closing with requests in flight');
    for (const connection of this.connections) connection.close();
    this.commands.disconnect();
    this.client.close();
  }

  private async work(connection: BlockingConnection): Promise<void> {
    while (!this.stopping) {
      let popped: [string, string] | null;
      try {
        popped = await connection.redis.brpop(this.config.deliveryQueue, POP_TIMEOUT_SEC);
      } catch (error) {
        if (this.stopping) break;
        this.logger.warn(`delivery: BRPOP failed: ${(error as Error).message}; retrying in 1 s`);
        await this.pause(1_000);
        continue;
      }
      if (!popped) continue;
      const job = parseDeliveryJob(popped[1]);
      if (!job) {
        this.stats.malformedJobs++;
        this.logger.warn(
          `delivery: dropping a queue entry that is not a job: ${popped[1].slice(0, 200)}`,
        );
        continue;
      }
      this.stats.jobsTaken++;
      if (!this.breaker.allows(job.endpoint_id)) {
        this.stats.skippedByBreaker++;
        continue;
      }
      await this.deliver(job);
    }
  }

  private async deliver(job: DeliveryJob): Promise<void> {
    const { holdEvery, holdMs } = this.config;
    if (holdEvery > 0 && holdMs > 0) {
      this.jobsSeen += 1;
      if (this.jobsSeen % holdEvery === 0) await this.pause(holdMs);
    }
    const body = webhookBody(job.event);
    const signature = signBody(job.hmac_secret, body);
    for (let attempt = job.attempt; attempt <= job.max_retries; attempt++) {
      const result = await this.attempt(job, body, signature, attempt);
      if (this.config.logAttempts && this.pool) await this.logAttempt(job, attempt, result);
      if (result.success) {
        this.breaker.recordSuccess(job.endpoint_id);
        this.stats.delivered++;
        return;
      }
      const wasOpen = this.breaker.isOpen(job.endpoint_id);
      this.breaker.recordFailure(job.endpoint_id);
      if (!wasOpen && this.breaker.isOpen(job.endpoint_id)) {
        this.logger.warn(
          `delivery: circuit open for endpoint ${job.endpoint_id}: its jobs are dropped for ` +
            `${this.config.circuitBreakerTimeoutMs} ms`,
        );
      }
      const outcome = result.errorMessage ?? `HTTP ${result.status}`;
      if (!result.shouldRetry || attempt >= job.max_retries) {
        this.stats.failedPermanently++;
        this.logger.warn(
          `delivery: giving up on ${job.event.transaction_hash}/${job.event.log_index} for ` +
            `endpoint ${job.endpoint_id} after attempt ${attempt}: ${outcome}`,
        );
        return;
      }
      this.stats.retries++;
      await this.pause(
        backoffMs(attempt + 1, this.config.retryBaseDelayMs, this.config.retryMaxDelayMs),
      );
      if (this.stopping) {
        await this.requeue({ ...job, attempt: attempt + 1 });
        return;
      }
    }
  }

  private async attempt(
    job: DeliveryJob,
    body: string,
    signature: string,
    attempt: number,
  ): Promise<AttemptResult> {
    this.stats.attempts++;
    const started = performance.now();
    const timeoutMs = (job.timeout_seconds > 0 ? job.timeout_seconds : 30) * 1000;
    try {
      const response = await this.client.post(
        job.url,
        body,
        {
          'Content-Type': 'application/json',
          'X-Webhook-Signature': signature,
          'X-Webhook-Id': job.endpoint_id,
          'X-Webhook-Attempt': String(attempt),
        },
        timeoutMs,
      );
      const success = response.status >= 200 && response.status < 300;
      return {
        success,
        status: response.status,
        responseBody: response.body,
        errorMessage: null,
        durationMs: performance.now() - started,
        shouldRetry: !success && isRetryableStatus(response.status),
      };
    } catch (error) {
      return {
        success: false,
        status: null,
        responseBody: null,
        errorMessage: error instanceof Error ? error.message : String(error),
        durationMs: performance.now() - started,
        shouldRetry: true,
      };
    }
  }

  /** As EthHook: find the stored event, then record the attempt; no stored event, no record. */
  private async logAttempt(
    job: DeliveryJob,
    attempt: number,
    result: AttemptResult,
  ): Promise<void> {
    const pool = this.pool!;
    try {
      const found = await pool.query<{ id: string }>({
        name: 'reference-find-event',
        text: 'SELECT id FROM events WHERE transaction_hash = $1 AND log_index = $2',
        values: [job.event.transaction_hash, job.event.log_index],
      });
      const eventId = found.rows[0]?.id;
      if (!eventId) return;
      await pool.query({
        name: 'reference-log-attempt',
        text: `INSERT INTO delivery_attempts (event_id, endpoint_id, attempt_number,
                 http_status_code, response_body, error_message, duration_ms, success, should_retry)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        values: [
          eventId,
          job.endpoint_id,
          attempt,
          result.status,
          result.responseBody,
          result.errorMessage,
          Math.round(result.durationMs),
          result.success,
          result.shouldRetry,
        ],
      });
    } catch (error) {
      this.logger.warn(`delivery: logging an attempt failed: ${(error as Error).message}`);
    }
  }

  private async requeue(job: DeliveryJob): Promise<void> {
    try {
      await this.commands.lpush(this.config.deliveryQueue, JSON.stringify(job));
      this.stats.requeued++;
    } catch (error) {
      this.logger.warn(
        `delivery: could not requeue a job for endpoint ${job.endpoint_id} at shutdown: ` +
          (error as Error).message,
      );
    }
  }

  /** Sleeps, but wakes at once when stop() is called. */
  private pause(ms: number): Promise<void> {
    return delay(ms, undefined, { signal: this.wakeUp.signal }).catch(() => undefined);
  }
}
