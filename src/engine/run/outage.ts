import pg from 'pg';
import type { Redis } from 'ioredis';
import { maskUrl } from '../../shared/redact.js';
import { monotonicClock } from '../clock.js';
import { probeRedisClient } from './readiness.js';

export type WatchedService = 'Redis' | 'PostgreSQL';

/**
 * A service the run depends on (not the SUT) failed during a measurement: what failed, how far
 * into it, and how. Such a measurement says nothing about the SUT; it is measured again once the
 * service is back, or the run ends as an error (see runTrials).
 */
export class ServiceOutage extends Error {
  constructor(
    readonly service: WatchedService,
    readonly atSec: number,
    readonly detail: string,
  ) {
    super(`${service} went away ${atSec.toFixed(1)} s into the measurement: ${detail}`);
    this.name = 'ServiceOutage';
  }

  /** The same outage, naming the measurement it happened in (e.g. "Trial 1 of 3"). */
  during(title: string): string {
    return `${this.service} went away during ${title}, ${this.atSec.toFixed(1)} s in: ${this.detail}`;
  }
}

/** How often the watch asks; a probe is a PING and one indexed SELECT. */
const WATCH_INTERVAL_MS = 500;
/**
 * How long the probe's SELECT may wait: one queued behind a lock (a DROP SCHEMA waiting for its
 * exclusive lock holds every later query on those tables) is an outage once it has waited this long.
 */
const PROBE_STATEMENT_TIMEOUT_MS = 5_000;

/**
 * Polls Redis (PING) and PostgreSQL (the seeded endpoints are still there) during a measurement
 * and keeps the first failure. The publisher notices a Redis outage while it publishes; this
 * watch covers the drain, and a database dropped or emptied under the SUT, which would otherwise
 * read as 100% loss.
 */
export class ServiceWatch {
  private outage: ServiceOutage | null = null;
  private timer: NodeJS.Timeout | null = null;
  private probing: Promise<void> | null = null;
  private redis: Redis | null = null;
  private db: pg.Client | null = null;
  private readonly startedUs = monotonicClock.nowUs();

  constructor(
    private readonly redisUrl: string,
    private readonly databaseUrl: string,
    private readonly endpointIds: readonly string[],
  ) {}

  /** The first outage seen so far, else null. */
  get failure(): ServiceOutage | null {
    return this.outage;
  }

  start(): this {
    this.timer = setInterval(() => void this.probe(), WATCH_INTERVAL_MS);
    return this;
  }

  /** Records an outage seen elsewhere (the publisher's lost connection), unless one came first. */
  report(service: WatchedService, detail: string): ServiceOutage {
    this.outage ??= new ServiceOutage(
      service,
      (monotonicClock.nowUs() - this.startedUs) / 1e6,
      detail,
    );
    return this.outage;
  }

  /**
   * One more probe of both services, awaited (the last look before a result is built). A probe
   * still under way is awaited first: it may be the one that is waiting on the failure.
   */
  async check(): Promise<ServiceOutage | null> {
    await this.probing;
    await this.probe();
    return this.outage;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.redis?.disconnect();
    await this.db?.end().catch(() => undefined);
  }

  private probe(): Promise<void> {
    if (this.probing || this.outage) return this.probing ?? Promise.resolve();
    this.probing = Promise.all([this.probeRedis(), this.probePostgres()]).then(() => {
      this.probing = null;
    });
    return this.probing;
  }

  private async probeRedis(): Promise<void> {
    try {
      if (!this.redis) {
        this.redis = probeRedisClient(this.redisUrl);
        this.redis.on('error', () => undefined);
        await this.redis.connect();
      }
      await this.redis.ping();
    } catch (error) {
      this.report(
        'Redis',
        `Redis at ${maskUrl(this.redisUrl)} did not answer: ${messageOf(error)}`,
      );
    }
  }

  private async probePostgres(): Promise<void> {
    if (this.endpointIds.length === 0) return;
    try {
      if (!this.db) {
        this.db = new pg.Client({
          connectionString: this.databaseUrl,
          connectionTimeoutMillis: 2_000,
          statement_timeout: PROBE_STATEMENT_TIMEOUT_MS,
        });
        this.db.on('error', () => undefined);
        await this.db.connect();
      }
      const problem = await seededEndpointsProblem(this.db, this.endpointIds);
      if (problem) this.report('PostgreSQL', `${problem} (${maskUrl(this.databaseUrl)})`);
    } catch (error) {
      this.report(
        'PostgreSQL',
        `PostgreSQL at ${maskUrl(this.databaseUrl)} failed: ${messageOf(error)}`,
      );
    }
  }
}

/** Null when every seeded endpoint is still in the table, else what is missing. */
export async function seededEndpointsProblem(
  db: pg.ClientBase,
  endpointIds: readonly string[],
): Promise<string | null> {
  const { rows } = await db.query<{ count: string }>(
    'SELECT count(*) FROM endpoints WHERE id = ANY($1::uuid[])',
    [endpointIds],
  );
  const left = Number(rows[0]?.count ?? 0);
  return left === endpointIds.length
    ? null
    : `${endpointIds.length - left} of the ${endpointIds.length} seeded endpoints are gone from the database`;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
