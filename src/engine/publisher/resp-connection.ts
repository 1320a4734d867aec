import type { Duplex } from 'node:stream';
import { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import { maskUrl } from '../../shared/redact.js';
import { ReplyParser } from './resp.js';

/** Redis could not be reached or refused the handshake; the message names the masked URL. */
export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

export interface RespConnectionOptions {
  url: string;
  /** Bound on TCP connect plus handshake (AUTH, SELECT, ready check, PING); no reconnect loop. */
  connectTimeoutMs: number;
  clock: Clock;
  /** Shown by CLIENT LIST, so a stuck load test can be spotted on the server. */
  clientName?: string;
}

/** One reply, with the monotonic time at which the chunk that completed it arrived. */
export type TimedReplyHandler = (error: string | undefined, receivedUs: number) => void;

/**
 * A pipelined connection for the publisher's XADDs: ioredis connects (URL, TLS, AUTH, SELECT,
 * CLIENT SETNAME, ready check), then hands its socket over. From then on commands go out as
 * pre-encoded batches and replies come back as one callback each, in order, without a Command
 * object and a promise per XADD: see resp.ts for why, and bench/README.md for the figures.
 */
export class RespConnection {
  /** Replaced by the owner once the handshake is done. */
  onReply: TimedReplyHandler = () => {};
  /** Called once when the socket closes for any reason other than close(). */
  onLost: (error: Error) => void = () => {};

  private closing = false;
  private lastError: Error | null = null;
  private chunkUs = 0;
  private readonly socket: Duplex;

  private constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
  ) {
    this.socket = redis.stream;
    // ioredis's reply decoder would take our replies for answers to commands it never sent: the
    // socket's data is ours from here on. ioredis keeps its close handler, and does not reconnect.
    this.socket.removeAllListeners('data');
    const parser = new ReplyParser((error) => this.onReply(error, this.chunkUs));
    this.socket.on('data', (chunk: Buffer) => {
      this.chunkUs = this.clock.nowUs();
      if (!parser.feed(chunk)) {
        this.socket.destroy(new Error('unexpected reply from Redis (protocol error)'));
      }
    });
    // The socket's own errors too: ioredis listens for the first one only.
    this.socket.on('error', (error: Error) => {
      this.lastError = error;
    });
    this.socket.on('close', () => {
      if (!this.closing) this.onLost(this.lastError ?? new Error('connection closed by Redis'));
    });
  }

  static async open(options: RespConnectionOptions): Promise<RespConnection> {
    const masked = maskUrl(options.url);
    checkRedisUrl(options.url, masked);
    let redis: Redis;
    try {
      redis = new Redis(options.url, {
        lazyConnect: true,
        connectTimeout: options.connectTimeoutMs,
        connectionName: options.clientName,
        // A lost connection ends the run (its replies are gone): never reconnect or queue.
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
      });
    } catch (error) {
      throw new RedisUnavailableError(`invalid Redis URL ${masked}: ${messageOf(error)}`);
    }
    // ioredis reports a refused AUTH or SELECT as an event, not as the connect's rejection.
    let refused: unknown = null;
    redis.on('error', (error: unknown) => {
      refused ??= error;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`no answer within ${options.connectTimeoutMs} ms (connect timeout)`)),
        options.connectTimeoutMs,
      );
    });
    try {
      // PING: an answer proves the server is serving commands after the handshake.
      await Promise.race([redis.connect().then(() => redis.ping()), timeout]);
      if (refused !== null) throw refused;
    } catch (error) {
      redis.disconnect();
      const reason = refused ?? error;
      throw new RedisUnavailableError(`cannot use Redis at ${masked}: ${messageOf(reason)}`);
    } finally {
      clearTimeout(timer);
    }
    return new RespConnection(redis, options.clock);
  }

  /**
   * Queues a batch of encoded commands; never waits (the caller bounds what is in flight).
   * `flushed` is called once the socket no longer needs the buffer (also when the write failed).
   */
  write(encoded: Buffer, flushed?: () => void): void {
    this.socket.write(encoded, flushed);
  }

  /** Graceful close: lets queued writes flush, then ends the socket (ioredis destroys it after 2 s). */
  close(): Promise<void> {
    this.closing = true;
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.redis.disconnect();
    });
  }

  /** Drops the connection at once; replies still due are lost. */
  destroy(): void {
    this.closing = true;
    this.redis.disconnect();
    this.socket.destroy();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What ioredis would take for something else: another scheme (a path to a socket), or a database
 * that is not a number (SELECT NaN).
 */
function checkRedisUrl(url: string, masked: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUnavailableError(`invalid Redis URL ${masked}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisUnavailableError(`invalid Redis URL ${masked}: expected redis:// or rediss://`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) {
    throw new RedisUnavailableError(
      `invalid Redis URL ${masked}: database "${parsed.pathname.slice(1)}"`,
    );
  }
}
