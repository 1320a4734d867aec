import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { monotonicClock, sleepMs, waitUntil, type Clock } from '../clock.js';
import { decodeTxHash } from '../events/identity.js';
import type { Histogram } from '../measure/histogram.js';
import { IntervalRecorder, type DeliverySeconds } from '../measure/timeline.js';
import { FaultInjector, type ReceiverFaults } from './faults.js';
import {
  DeliveryStats,
  metricsJson,
  ThroughputWindow,
  type MetricsJson,
  type Outcome,
  type ReceiverCounts,
} from './metrics.js';
import { DeliveredSet } from './delivered.js';
import { signingKey, verifySignature, type SigningKey } from './signature.js';

export type { ReceiverCounts } from './metrics.js';
export type { ReceiverFaults } from './faults.js';

/** One seeded EthHook endpoint: its id (X-Webhook-Id), name, and hmac_secret. */
export interface ReceiverEndpoint {
  id: string;
  name: string;
  secret: string;
}

export interface ReceiverOptions {
  /** Default 127.0.0.1; a SUT in a container needs 0.0.0.0. */
  host?: string;
  /** Default 0: a free port chosen by the OS. */
  port?: number;
  /** Default '/webhook'. */
  path?: string;
  endpoints?: ReceiverEndpoint[];
  /**
   * Default true. When false, X-Webhook-Signature is not checked and any X-Webhook-Id is taken as
   * an endpoint (used when the secrets are not known, e.g. `receive` without --endpoints-file).
   */
  verifySignatures?: boolean;
  /** undefined = every run id is ours; otherwise entries of other run ids count as foreign. */
  acceptRunIds?: string[];
  clock?: Clock;
  faults?: Partial<ReceiverFaults>;
  /**
   * Serve GET /metrics (which lists the accepted run ids) and POST /metrics/reset. Only the
   * stand-alone `receive` command does: in a run, anyone who reaches the port (0.0.0.0 in compose
   * mode) could otherwise read the run ids or reset the run mid-way. Default false.
   */
  adminRoutes?: boolean;
}

/** Whether the run expects event `sequence` at this endpoint (see ExpectedPairs). */
export type PairExpectation = (endpointId: string, sequence: number) => boolean;

export interface ReceiverSnapshot {
  counts: ReceiverCounts;
  /** End-to-end latency (receive time - intended send time) of first valid deliveries, µs. */
  latency: Histogram;
  perEndpoint: Map<
    string,
    { name: string; counts: ReceiverCounts; latency: Histogram; latencyOutOfRange: number }
  >;
  /** Latencies outside the histogram's range (negative, or above its maximum); see DeliveryStats. */
  latencyOutOfRange: number;
  /** Monotonic receive times of the first and last unique valid delivery. */
  firstReceiveUs: number | null;
  lastReceiveUs: number | null;
  /** Deliveries and their latency second by second, when the run started a timeline. */
  seconds: DeliverySeconds | null;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PATH = '/webhook';
/** Routes of the receiver itself, which the webhook path must not shadow. */
export const RESERVED_PATHS: readonly string[] = ['/metrics', '/metrics/reset', '/health'];

/** Fields of the event object EthHook posts (DESIGN.md, Delivery); all must be present. */
const EVENT_FIELDS = [
  'chain_id',
  'block_number',
  'block_hash',
  'transaction_hash',
  'log_index',
  'contract_address',
  'topics',
  'data',
  'timestamp',
] as const;

interface WebhookEvent {
  transaction_hash: string;
  log_index: number | string;
}

interface TimedRequest extends FastifyRequest {
  receivedUs: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';
// Replies are constant strings: the hot path serialises nothing.
const REPLY_BODY: Record<Outcome, string> = {
  delivered: '{"status":"ok"}',
  unexpected: '{"status":"unexpected"}',
  duplicates: '{"status":"duplicate"}',
  foreign: '{"status":"foreign"}',
  badSignatures: '{"status":"error","error":"bad signature"}',
  malformed: '{"status":"error","error":"malformed event"}',
  failedAttempts: '{"status":"error","error":"injected failure"}',
};
/**
 * Duplicates, unexpected and foreign entries get 200 so the SUT does not retry them forever; a bad
 * signature gets 401, which EthHook does not retry (non-429 4xx), so the delivery is lost and
 * counted once.
 */
const REPLY_STATUS: Record<Exclude<Outcome, 'failedAttempts'>, number> = {
  delivered: 200,
  unexpected: 200,
  duplicates: 200,
  foreign: 200,
  badSignatures: 401,
  malformed: 400,
};

/** Headers of each reply, made once: content-type and the body's length. */
const REPLY_HEADERS = {} as Record<Outcome, Record<string, string>>;
for (const [outcome, body] of Object.entries(REPLY_BODY) as [Outcome, string][]) {
  REPLY_HEADERS[outcome] = {
    'content-type': JSON_TYPE,
    'content-length': String(Buffer.byteLength(body)),
  };
}

function sendRaw(reply: FastifyReply, status: number, outcome: Outcome): void {
  const response = reply.raw;
  // A connection the client closed meanwhile (a delayed reply) has nothing to write to.
  if (response.writableEnded || response.destroyed) return;
  response.writeHead(status, REPLY_HEADERS[outcome]);
  response.end(REPLY_BODY[outcome]);
}

function isWebhookEvent(value: unknown): value is WebhookEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const event = value as Record<string, unknown>;
  for (const field of EVENT_FIELDS) if (event[field] === undefined) return false;
  const logIndex = event.log_index;
  return (
    typeof event.transaction_hash === 'string' &&
    Array.isArray(event.topics) &&
    ((typeof logIndex === 'number' && Number.isInteger(logIndex) && logIndex >= 0) ||
      (typeof logIndex === 'string' && /^\d+$/.test(logIndex)))
  );
}

/** EthHook retries 5xx, 429 and network errors, and gives up on any other 4xx at once. */
export function isFinalForEthHook(status: number): boolean {
  return status >= 400 && status < 500 && status !== 429;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

interface EndpointEntry {
  name: string;
  key: SigningKey | null;
  stats: DeliveryStats;
}

/**
 * The webhook receiver: the SUT's delivery workers POST events here, and every request is classified
 * once, in this order (each request lands in exactly one outcome):
 *
 * 1. injected failure (faults.failureRate) → `failureStatus`, counted as failedAttempts;
 * 2. body not JSON or not an event object → 400, malformed;
 * 3. tx_hash not made by our identity encoding, or of a run id not accepted → 200, foreign
 *    (before the signature: another run's leftovers may be signed with secrets we do not hold);
 * 4. missing/unknown X-Webhook-Id or missing/wrong X-Webhook-Signature → 401, badSignatures;
 * 5. (endpoint, tx_hash, log_index) already delivered → 200, duplicates (held as run id and
 *    sequence number, see delivered.ts);
 * 6. a pair the run does not expect (see expectPairs) → 200, unexpected, no latency;
 * 7. otherwise → 200, delivered, and latency = receive time - intended send time is recorded.
 *
 * An injected failure with a status EthHook never retries (4xx but 429) is remembered per pair,
 * so the run can report that delivery as rejected on purpose rather than as lost by the SUT.
 *
 * 200 for duplicates and foreign entries keeps the SUT from retrying them forever. 401 for a bad
 * signature is final for EthHook (it retries only 5xx, 429 and network errors), so a badly
 * signed delivery is counted once and then shows up as lost. Failures are drawn before anything
 * else so the injected fraction does not depend on the traffic mix.
 *
 * Receive time is read from the monotonic clock in the onRequest hook, before the body is read, so
 * neither body parsing nor an injected delay is counted as pipeline latency.
 *
 * `onDelivery`, when set, is called synchronously after each unique delivery with the new
 * `uniqueDelivered` count (a drain waits on it instead of polling); keep it cheap.
 */
export class Receiver {
  /** The fastify instance, for in-process requests (`app.inject`) in tests. */
  readonly app: FastifyInstance;
  onDelivery?: (count: number) => void;

  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  private readonly clock: Clock;
  private readonly verifySignatures: boolean;
  private readonly faults: FaultInjector;
  private readonly overall = new DeliveryStats();
  private readonly endpoints = new Map<string, EndpointEntry>();
  private readonly delivered = new DeliveredSet();
  private readonly rejected = new DeliveredSet();
  private readonly adminRoutes: boolean;
  private expected: PairExpectation | null = null;
  private rejectedPairs = 0;
  private readonly window = new ThroughputWindow();
  private readonly initialRunIds: readonly string[] | null;
  private acceptedRunIds: Set<string> | null;
  private startedUs: number;
  private firstReceiveUs: number | null = null;
  private lastReceiveUs: number | null = null;
  private timeline: IntervalRecorder | null = null;
  private stall: { atSec: number; ms: number } | null = null;
  /** Monotonic µs window in which webhook requests are held (see setStall). */
  private stallFromUs = Infinity;
  private stallToUs = -Infinity;
  private baseUrl: string | null = null;
  private closing: Promise<void> | null = null;

  constructor(options: ReceiverOptions = {}) {
    this.host = options.host ?? DEFAULT_HOST;
    this.port = options.port ?? 0;
    this.path = options.path ?? DEFAULT_PATH;
    if (!this.path.startsWith('/') || RESERVED_PATHS.includes(this.path)) {
      throw new RangeError(
        `receiver path must start with / and not be ${RESERVED_PATHS.join(', ')}; got "${this.path}"`,
      );
    }
    this.clock = options.clock ?? monotonicClock;
    this.verifySignatures = options.verifySignatures ?? true;
    this.faults = new FaultInjector(options.faults);
    this.adminRoutes = options.adminRoutes ?? false;
    this.initialRunIds = options.acceptRunIds ? [...options.acceptRunIds] : null;
    this.acceptedRunIds = this.initialRunIds ? new Set(this.initialRunIds) : null;
    this.startedUs = this.clock.nowUs();
    if (options.endpoints) this.setEndpoints(options.endpoints);
    this.app = this.buildApp();
  }

  /** Listens and resolves the base URL (http://host:port); 0.0.0.0 is given as 127.0.0.1. */
  async start(): Promise<string> {
    await this.app.listen({ host: this.host, port: this.port });
    const { port } = this.app.server.address() as AddressInfo;
    this.baseUrl = `http://${connectableHost(this.host)}:${port}`;
    this.startedUs = this.clock.nowUs();
    return this.baseUrl;
  }

  /** The webhook URL (base URL + path); only after start(). */
  get url(): string {
    if (this.baseUrl === null) throw new Error('Receiver.url is known only after start()');
    return `${this.baseUrl}${this.path}`;
  }

  /** Stops listening and drops open connections; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.app.close();
    return this.closing;
  }

  /** Adds or replaces endpoints (by id); counts of endpoints already seen are kept. */
  setEndpoints(endpoints: ReceiverEndpoint[]): void {
    for (const { id, name, secret } of endpoints) {
      const existing = this.endpoints.get(id);
      const key = signingKey(secret);
      if (existing) {
        existing.name = name;
        existing.key = key;
      } else {
        this.endpoints.set(id, { name, key, stats: new DeliveryStats() });
      }
    }
  }

  /**
   * From the first call on, only accepted run ids count; others are foreign. Accepted ids last
   * until reset(), so a measured run can call `reset(); acceptRun(runId)` and have late retries of
   * earlier runs (warm-up, previous trials) counted as foreign rather than delivered.
   */
  acceptRun(runId: string): void {
    this.acceptedRunIds ??= new Set();
    this.acceptedRunIds.add(runId);
  }

  /**
   * From now on a valid first delivery of a pair `expectation` rejects counts as unexpected, not
   * delivered, and records no latency; null counts every one as delivered (the default).
   */
  expectPairs(expectation: PairExpectation | null): void {
    this.expected = expectation;
  }

  /**
   * Also records deliveries per second from `originUs` (monotonic µs of second 0: the publisher's
   * slot 0) until reset(), for the result's timeline.
   */
  startTimeline(originUs: number): void {
    this.timeline = new IntervalRecorder(originUs);
    if (this.stall) {
      this.stallFromUs = originUs + this.stall.atSec * 1_000_000;
      this.stallToUs = this.stallFromUs + this.stall.ms * 1000;
    }
  }

  /**
   * Injected stall: from `atSec` seconds after the origin of the next timeline (startTimeline)
   * for `ms`, every webhook request is held before it is taken, and taken (receive time read,
   * classified, answered) when the window ends, as by an endpoint that stopped answering for that
   * long; null = none. Kept across reset().
   */
  setStall(stall: { atSec: number; ms: number } | null): void {
    this.stall = stall;
    this.stallFromUs = Infinity;
    this.stallToUs = -Infinity;
  }

  setFaults(faults: Partial<ReceiverFaults>): void {
    this.faults.update(faults);
  }

  /**
   * Starts over for the next run: clears counts, histograms and the record of what was delivered,
   * forgets run ids given to acceptRun (back to the `acceptRunIds` option) and the expected
   * pairs, restarts uptime. Endpoints and faults stay.
   */
  reset(): void {
    this.acceptedRunIds = this.initialRunIds ? new Set(this.initialRunIds) : null;
    this.overall.reset();
    for (const entry of this.endpoints.values()) entry.stats.reset();
    this.delivered.clear();
    this.timeline = null;
    this.rejected.clear();
    this.rejectedPairs = 0;
    this.expected = null;
    this.window.reset();
    this.firstReceiveUs = null;
    this.lastReceiveUs = null;
    this.startedUs = this.clock.nowUs();
  }

  get uniqueDelivered(): number {
    return this.overall.counts.delivered;
  }

  /** Pairs (expected ones, when the run said what it expects) turned away for good on purpose. */
  get uniqueRejected(): number {
    return this.rejectedPairs;
  }

  get lastDeliveryUs(): number | null {
    return this.lastReceiveUs;
  }

  hasDelivered(endpointId: string, txHash: string, logIndex: string | number): boolean {
    const identity = decodeTxHash(txHash);
    return (
      identity !== null &&
      this.delivered.has(endpointId, identity.runId, Number(logIndex), identity.sequence)
    );
  }

  /** Whether the event with this run id and sequence number reached this endpoint. */
  hasDeliveredSequence(endpointId: string, runId: string, sequence: number): boolean {
    return this.delivered.hasSequence(endpointId, runId, sequence);
  }

  /** Whether this endpoint's delivery of the event was answered with an injected final failure. */
  hasRejectedSequence(endpointId: string, runId: string, sequence: number): boolean {
    return this.rejected.hasSequence(endpointId, runId, sequence);
  }

  /** A copy of the figures so far; later requests and resets do not change it. */
  snapshot(): ReceiverSnapshot {
    const { counts, latency, latencyOutOfRange } = this.overall.copy();
    const perEndpoint: ReceiverSnapshot['perEndpoint'] = new Map();
    for (const [id, entry] of this.endpoints) {
      perEndpoint.set(id, { name: entry.name, ...entry.stats.copy() });
    }
    return {
      counts,
      latency,
      latencyOutOfRange,
      perEndpoint,
      firstReceiveUs: this.firstReceiveUs,
      lastReceiveUs: this.lastReceiveUs,
      seconds: this.timeline?.seconds() ?? null,
    };
  }

  /** The GET /metrics body (see metrics.ts for the meaning of each key). */
  metricsJson(): MetricsJson {
    const nowUs = this.clock.nowUs();
    return metricsJson({
      nowUs,
      startedUs: this.startedUs,
      recentRps: this.window.ratePerSec(nowUs, this.startedUs),
      overall: this.overall,
      perEndpoint: this.endpoints,
      firstReceiveUs: this.firstReceiveUs,
      lastReceiveUs: this.lastReceiveUs,
      signaturesVerified: this.verifySignatures,
      acceptedRunIds: this.acceptedRunIds ? [...this.acceptedRunIds] : null,
      faults: this.faults.current,
    });
  }

  private buildApp(): FastifyInstance {
    const app = Fastify({ logger: false, forceCloseConnections: true, return503OnClosing: true });
    // The raw bytes are what the signature covers, so every body is kept as a Buffer and parsed
    // in the handler, where a parse failure is counted instead of answered by fastify.
    app.removeAllContentTypeParsers();
    const keepBuffer = (
      _request: FastifyRequest,
      body: Buffer,
      done: (e: null, b: Buffer) => void,
    ) => done(null, body);
    // application/json, what EthHook sends, by name too: fastify caches the parser it finds for a
    // named type, while the catch-all is looked for again (the header parsed) on every request.
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, keepBuffer);
    app.addContentTypeParser('*', { parseAs: 'buffer' }, keepBuffer);
    app.decorateRequest('receivedUs', 0);

    const clock = this.clock;
    app.post(this.path, {
      onRequest: (request, _reply, done) => {
        const nowUs = clock.nowUs();
        if (nowUs >= this.stallFromUs && nowUs < this.stallToUs) {
          // Held until the receiver's own clock says the window is over, not until a timer
          // fires: libuv timers can fire up to a millisecond early against the monotonic clock
          // (they count from the loop's cached time), and no held webhook may be taken inside it.
          void waitUntil(this.stallToUs / 1000, () => clock.nowUs() / 1000).then(() => {
            (request as TimedRequest).receivedUs = clock.nowUs();
            done();
          });
          return;
        }
        (request as TimedRequest).receivedUs = nowUs;
        done();
      },
      handler: (request, reply) => this.handleWebhook(request as TimedRequest, reply),
    });
    app.get('/health', () => ({ status: 'ok' }));
    if (this.adminRoutes) {
      app.get('/metrics', () => this.metricsJson());
      app.post('/metrics/reset', () => {
        this.reset();
        return { status: 'reset' };
      });
    }
    return app;
  }

  private handleWebhook(request: TimedRequest, reply: FastifyReply): void {
    const receivedUs = request.receivedUs;
    const endpointId = headerValue(request.headers['x-webhook-id']);
    const endpoint = this.endpointFor(endpointId);
    this.overall.counts.totalRequests++;
    if (endpoint) endpoint.stats.counts.totalRequests++;
    this.window.add(receivedUs);

    let outcome: Outcome;
    let status: number;
    if (this.faults.shouldFail()) {
      outcome = 'failedAttempts';
      status = this.faults.failureStatus;
      if (isFinalForEthHook(status)) this.rememberRejected(request, endpointId);
    } else {
      outcome = this.classify(request, endpointId, endpoint, receivedUs);
      status = REPLY_STATUS[outcome];
    }
    this.overall.counts[outcome]++;
    if (endpoint) endpoint.stats.counts[outcome]++;
    if (outcome === 'delivered') this.onDelivery?.(this.overall.counts.delivered);

    const delayMs = this.faults.delayMs;
    // The reply is written to the raw response with headers made once per outcome: fastify's
    // reply.send (header bookkeeping, its send pipeline) was a measurable share of the receiver's
    // CPU per webhook. Synchronous unless delayed: a promise per request is measurable at tens of
    // thousands a second.
    reply.hijack();
    if (delayMs > 0) {
      void sleepMs(delayMs).then(() => sendRaw(reply, status, outcome));
      return;
    }
    sendRaw(reply, status, outcome);
  }

  private classify(
    request: FastifyRequest,
    endpointId: string | undefined,
    endpoint: EndpointEntry | undefined,
    receivedUs: number,
  ): Exclude<Outcome, 'failedAttempts'> {
    const body = request.body;
    if (!Buffer.isBuffer(body)) return 'malformed';
    let event: unknown;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      return 'malformed';
    }
    if (!isWebhookEvent(event)) return 'malformed';

    const identity = decodeTxHash(event.transaction_hash);
    if (identity === null) return 'foreign';
    if (this.acceptedRunIds !== null && !this.acceptedRunIds.has(identity.runId)) return 'foreign';

    if (this.verifySignatures) {
      const signature = headerValue(request.headers['x-webhook-signature']);
      if (!endpoint?.key || !verifySignature(endpoint.key, body, signature)) return 'badSignatures';
    }

    const logIndex = Number(event.log_index);
    if (!this.delivered.add(endpointId ?? '', identity.runId, logIndex, identity.sequence)) {
      return 'duplicates';
    }
    if (this.expected !== null && !this.expected(endpointId ?? '', identity.sequence)) {
      return 'unexpected';
    }

    const latencyUs = receivedUs - identity.intendedSendUs;
    this.overall.recordLatency(latencyUs);
    endpoint?.stats.recordLatency(latencyUs);
    this.timeline?.record(receivedUs, latencyUs);
    this.firstReceiveUs ??= receivedUs;
    if (this.lastReceiveUs === null || receivedUs > this.lastReceiveUs) {
      this.lastReceiveUs = receivedUs;
    }
    return 'delivered';
  }

  /** Records which pair an injected final failure turned away (our run's events only). */
  private rememberRejected(request: FastifyRequest, endpointId: string | undefined): void {
    if (endpointId === undefined || !Buffer.isBuffer(request.body)) return;
    let event: unknown;
    try {
      event = JSON.parse(request.body.toString('utf8'));
    } catch {
      return;
    }
    if (!isWebhookEvent(event)) return;
    const identity = decodeTxHash(event.transaction_hash);
    if (identity === null) return;
    if (this.acceptedRunIds !== null && !this.acceptedRunIds.has(identity.runId)) return;
    if (this.expected !== null && !this.expected(endpointId, identity.sequence)) return;
    if (this.rejected.add(endpointId, identity.runId, Number(event.log_index), identity.sequence)) {
      this.rejectedPairs++;
    }
  }

  /**
   * The endpoint named by X-Webhook-Id: a configured one, or (when signatures are not verified)
   * any id, tracked from its first request on.
   */
  private endpointFor(endpointId: string | undefined): EndpointEntry | undefined {
    if (endpointId === undefined) return undefined;
    const known = this.endpoints.get(endpointId);
    if (known || this.verifySignatures) return known;
    const entry: EndpointEntry = { name: endpointId, key: null, stats: new DeliveryStats() };
    this.endpoints.set(endpointId, entry);
    return entry;
  }
}
