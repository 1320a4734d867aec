import net from 'node:net';
import tls from 'node:tls';
import type { Clock } from '../clock.js';
import { maskUrl } from '../../shared/redact.js';
import { appendCommandUtf8, ReplyParser } from './resp.js';

/** Redis could not be reached or refused the handshake; the message names the masked URL. */
export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

export interface RespConnectionOptions {
  url: string;
  /** Bound on TCP connect plus handshake (AUTH, SELECT, PING); there is no reconnect loop. */
  connectTimeoutMs: number;
  clock: Clock;
  /** Shown by CLIENT LIST, so a stuck load test can be spotted on the server. */
  clientName?: string;
}

/** One reply, with the monotonic time at which the chunk that completed it arrived. */
export type TimedReplyHandler = (error: string | undefined, receivedUs: number) => void;

interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
  db: number;
}

function parseRedisUrl(url: string): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUnavailableError(`invalid Redis URL ${maskUrl(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisUnavailableError(
      `invalid Redis URL ${maskUrl(url)}: expected redis:// or rediss://`,
    );
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) {
    throw new RedisUnavailableError(
      `invalid Redis URL ${maskUrl(url)}: database "${parsed.pathname.slice(1)}"`,
    );
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    tls: parsed.protocol === 'rediss:',
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    db,
  };
}

/**
 * A raw, pipelined RESP2 connection: commands go out as pre-encoded batches, replies come back as
 * one callback each, in order. See resp.ts for why the publisher does not use ioredis here.
 */
export class RespConnection {
  /** Replaced by the owner once the handshake is done. */
  onReply: TimedReplyHandler = () => {};
  /** Called once when the socket closes for any reason other than close(). */
  onLost: (error: Error) => void = () => {};

  private closing = false;
  private lastError: Error | null = null;
  private chunkUs = 0;

  private constructor(
    private readonly socket: net.Socket,
    private readonly clock: Clock,
  ) {
    const parser = new ReplyParser((error) => this.onReply(error, this.chunkUs));
    socket.on('data', (chunk: Buffer) => {
      this.chunkUs = this.clock.nowUs();
      if (!parser.feed(chunk)) {
        socket.destroy(new Error('unexpected reply from Redis (protocol error)'));
      }
    });
    socket.on('error', (error) => {
      this.lastError = error;
    });
    socket.on('close', () => {
      if (!this.closing) this.onLost(this.lastError ?? new Error('connection closed by Redis'));
    });
  }

  static open(options: RespConnectionOptions): Promise<RespConnection> {
    const masked = maskUrl(options.url);
    let endpoint: Endpoint;
    try {
      endpoint = parseRedisUrl(options.url);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const socket = endpoint.tls
        ? tls.connect({
            host: endpoint.host,
            port: endpoint.port,
            servername: net.isIP(endpoint.host) ? undefined : endpoint.host,
          })
        : net.connect({ host: endpoint.host, port: endpoint.port });
      socket.setNoDelay(true);

      let settled = false;
      const fail = (reason: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(new RedisUnavailableError(`cannot use Redis at ${masked}: ${reason}`));
      };
      const timer = setTimeout(
        () => fail(`no answer within ${options.connectTimeoutMs} ms (connect timeout)`),
        options.connectTimeoutMs,
      );
      const onError = (error: Error): void => fail(error.message);
      const onClose = (): void => fail('connection closed during the handshake');
      socket.on('error', onError);
      socket.on('close', onClose);

      const handshake: string[][] = [];
      if (endpoint.password) {
        handshake.push(
          endpoint.username
            ? ['AUTH', endpoint.username, endpoint.password]
            : ['AUTH', endpoint.password],
        );
      }
      if (endpoint.db !== 0) handshake.push(['SELECT', String(endpoint.db)]);
      if (options.clientName) handshake.push(['CLIENT', 'SETNAME', options.clientName]);
      // PING last: an answer proves the server is Redis and is serving commands (not LOADING).
      handshake.push(['PING']);

      let awaiting = handshake.length;
      const parser = new ReplyParser((error) => {
        if (error !== undefined) {
          fail(`Redis refused the handshake: ${error}`);
          return;
        }
        if (--awaiting > 0 || settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('error', onError);
        socket.off('close', onClose);
        socket.off('data', onData);
        resolve(new RespConnection(socket, options.clock));
      });
      const onData = (chunk: Buffer): void => {
        if (!parser.feed(chunk)) fail('the server does not speak the Redis protocol');
      };
      socket.on('data', onData);
      socket.write(handshake.reduce(appendCommandUtf8, ''));
    });
  }

  /**
   * Queues a batch of encoded commands; never waits (the caller bounds what is in flight).
   * `flushed` is called once the socket no longer needs the buffer (also when the write failed).
   */
  write(encoded: Buffer, flushed?: () => void): void {
    this.socket.write(encoded, flushed);
  }

  /** Graceful close: lets queued writes flush, then ends the socket. */
  close(): Promise<void> {
    this.closing = true;
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const force = setTimeout(() => this.socket.destroy(), 2_000);
      this.socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      this.socket.end();
    });
  }

  /** Drops the connection at once; replies still due are lost. */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }
}
