import { afterEach, describe, expect, it } from 'vitest';
import { monotonicClock, sleepMs, type Clock } from '../clock.js';
import { encodeTxHash } from '../events/identity.js';
import { Receiver, type ReceiverOptions } from './receiver.js';
import { signBody } from './signature.js';

const RUN_ID = 'a1b2c3d4e5f60718';
const OTHER_RUN_ID = '0011223344556677';
const ENDPOINTS = [
  { id: '11111111-1111-4111-8111-111111111111', name: 'USDC Transfers', secret: 'usdc-secret' },
  { id: '22222222-2222-4222-8222-222222222222', name: 'DAI Transfers', secret: 'dai-secret' },
];
const [USDC, DAI] = ENDPOINTS as [(typeof ENDPOINTS)[0], (typeof ENDPOINTS)[0]];

function event(sequence: number, intendedSendUs: number, runId = RUN_ID) {
  return {
    chain_id: 11155111,
    block_number: 5_000_000 + Math.floor(sequence / 10),
    block_hash: `0x${'b'.repeat(64)}`,
    transaction_hash: encodeTxHash({ runId, shard: sequence % 3, sequence, intendedSendUs }),
    log_index: sequence % 10,
    contract_address: '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238',
    topics: [`0x${'d'.repeat(64)}`],
    data: `0x${'0'.repeat(64)}`,
    timestamp: 1_700_000_000,
  };
}

/** Headers as EthHook's delivery worker sends them, signed with the endpoint's secret. */
function signedHeaders(body: string, endpoint = USDC, attempt = 1): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-webhook-id': endpoint.id,
    'x-webhook-signature': signBody(endpoint.secret, body),
    'x-webhook-attempt': String(attempt),
  };
}

const receivers: Receiver[] = [];
function receiver(options: ReceiverOptions = {}): Receiver {
  const created = new Receiver({ endpoints: ENDPOINTS, ...options });
  receivers.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function post(target: Receiver, body: string, headers: Record<string, string>) {
  return target.app.inject({ method: 'POST', url: '/webhook', payload: body, headers });
}

async function deliver(target: Receiver, payload: object, endpoint = USDC) {
  const body = JSON.stringify(payload);
  return post(target, body, signedHeaders(body, endpoint));
}

describe('Receiver latency', () => {
  it('records receive time - intended send time from the injected clock, per endpoint too', async () => {
    let nowUs = 10_000_000;
    const clock: Clock = { nowUs: () => nowUs };
    const target = receiver({ clock });
    nowUs = 10_250_000;
    const response = await deliver(target, event(1, 10_000_000));
    expect(response.statusCode).toBe(200);
    const snapshot = target.snapshot();
    expect(snapshot.counts.delivered).toBe(1);
    // HDR keeps 3 significant digits.
    expect(snapshot.latency.getValueAtPercentile(50)).toBeCloseTo(250_000, -3);
    expect(snapshot.perEndpoint.get(USDC.id)?.latency.totalCount).toBe(1);
    expect(snapshot.perEndpoint.get(DAI.id)?.latency.totalCount).toBe(0);
    expect(snapshot.firstReceiveUs).toBe(10_250_000);
    expect(target.lastDeliveryUs).toBe(10_250_000);
  });

  it('shows the delay of a POST held back for 250 ms over a real socket', async () => {
    const target = receiver();
    await target.start();
    const payload = event(7, monotonicClock.nowUs());
    await sleepMs(250);
    const body = JSON.stringify(payload);
    const response = await fetch(target.url, {
      method: 'POST',
      body,
      headers: signedHeaders(body),
    });
    expect(response.status).toBe(200);
    const latencyUs = target.snapshot().latency.maxValue;
    expect(latencyUs).toBeGreaterThanOrEqual(249_900); // 3 significant digits
    expect(latencyUs).toBeLessThan(250_000 + 5_000_000);
  });

  it('records latency only for the first valid delivery of an event', async () => {
    let nowUs = 1_000_000;
    const target = receiver({ clock: { nowUs: () => nowUs } });
    const payload = event(3, 900_000);
    await deliver(target, payload);
    nowUs = 9_000_000;
    await deliver(target, payload);
    const { counts, latency } = target.snapshot();
    expect(counts).toMatchObject({ delivered: 1, duplicates: 1 });
    expect(latency.totalCount).toBe(1);
    expect(latency.maxValue).toBeLessThan(101_000);
  });
});

describe('Receiver classification', () => {
  it('counts bad signatures: wrong, missing, unknown endpoint, secret of another endpoint', async () => {
    const target = receiver();
    const body = JSON.stringify(event(1, 1));
    const wrong = await post(target, body, {
      ...signedHeaders(body),
      'x-webhook-signature': 'f'.repeat(64),
    });
    const { 'x-webhook-signature': _omitted, ...unsigned } = signedHeaders(body);
    const missing = await post(target, body, unsigned);
    const unknown = await post(target, body, { ...signedHeaders(body), 'x-webhook-id': 'nope' });
    const crossed = await post(target, body, {
      ...signedHeaders(body, DAI),
      'x-webhook-id': USDC.id,
    });
    const notHex = await post(target, body, {
      ...signedHeaders(body),
      'x-webhook-signature': 'z'.repeat(64),
    });
    for (const response of [wrong, missing, unknown, crossed, notHex]) {
      expect(response.statusCode).toBe(401);
    }
    const { counts, perEndpoint, latency } = target.snapshot();
    expect(counts).toEqual({
      totalRequests: 5,
      delivered: 0,
      unexpected: 0,
      duplicates: 0,
      badSignatures: 5,
      foreign: 0,
      malformed: 0,
      failedAttempts: 0,
    });
    expect(latency.totalCount).toBe(0);
    // The unknown id is counted overall only.
    expect(perEndpoint.get(USDC.id)?.counts.badSignatures).toBe(4);
    // Accepts the signature in upper case, as hex is case-insensitive.
    const upper = await post(target, body, {
      ...signedHeaders(body),
      'x-webhook-signature': signBody(USDC.secret, body).toUpperCase(),
    });
    expect(upper.statusCode).toBe(200);
  });

  it('counts duplicates per endpoint + tx_hash + log_index and answers them 200', async () => {
    const target = receiver();
    const payload = event(5, 1);
    expect((await deliver(target, payload)).statusCode).toBe(200);
    expect((await deliver(target, payload)).statusCode).toBe(200);
    // Same event to another endpoint is a delivery of its own.
    expect((await deliver(target, payload, DAI)).statusCode).toBe(200);
    // Same tx_hash, another log index: another log.
    expect((await deliver(target, { ...payload, log_index: 9 })).statusCode).toBe(200);
    // log_index as a decimal string is the same log as the number.
    expect(
      (await deliver(target, { ...payload, log_index: String(payload.log_index) })).statusCode,
    ).toBe(200);
    const { counts, perEndpoint } = target.snapshot();
    expect(counts).toMatchObject({ totalRequests: 5, delivered: 3, duplicates: 2 });
    expect(perEndpoint.get(USDC.id)?.counts).toMatchObject({ delivered: 2, duplicates: 2 });
    expect(perEndpoint.get(DAI.id)?.counts).toMatchObject({ delivered: 1, duplicates: 0 });
    expect(target.hasDelivered(USDC.id, payload.transaction_hash, payload.log_index)).toBe(true);
    expect(
      target.hasDelivered(USDC.id, `0x${payload.transaction_hash.slice(2).toUpperCase()}`, '5'),
    ).toBe(true);
    expect(target.hasDelivered(DAI.id, payload.transaction_hash, 9)).toBe(false);
    expect(target.hasDeliveredSequence(USDC.id, RUN_ID, 5)).toBe(true);
    expect(target.hasDeliveredSequence(USDC.id, RUN_ID, 6)).toBe(false);
    expect(target.hasDeliveredSequence(DAI.id, OTHER_RUN_ID, 5)).toBe(false);
  });

  it('counts other run ids and hashes that are not ours as foreign, never as latency', async () => {
    const target = receiver({ acceptRunIds: [RUN_ID] });
    const ours = await deliver(target, event(1, 1));
    const otherRun = await deliver(target, event(2, 1, OTHER_RUN_ID));
    const chainHash = await deliver(target, {
      ...event(3, 1),
      transaction_hash: `0x${'ab'.repeat(32)}`,
    });
    // Foreign is decided before the signature: another run may be signed with secrets we lack.
    const otherRunUnsigned = await post(target, JSON.stringify(event(4, 1, OTHER_RUN_ID)), {
      'content-type': 'application/json',
    });
    expect([ours, otherRun, chainHash, otherRunUnsigned].map((r) => r.statusCode)).toEqual([
      200, 200, 200, 200,
    ]);
    const { counts, latency } = target.snapshot();
    expect(counts).toMatchObject({ totalRequests: 4, delivered: 1, foreign: 3, badSignatures: 0 });
    expect(latency.totalCount).toBe(1);

    target.acceptRun(OTHER_RUN_ID);
    expect((await deliver(target, event(2, 1, OTHER_RUN_ID))).statusCode).toBe(200);
    expect(target.uniqueDelivered).toBe(2);
  });

  it('accepts every run id until one is accepted explicitly', async () => {
    const target = receiver();
    await deliver(target, event(1, 1, OTHER_RUN_ID));
    expect(target.uniqueDelivered).toBe(1);
    target.acceptRun(RUN_ID);
    await deliver(target, event(2, 1, OTHER_RUN_ID));
    expect(target.snapshot().counts.foreign).toBe(1);
  });

  it('forgets run ids accepted with acceptRun on reset, so stragglers of a past run are foreign', async () => {
    const target = receiver();
    target.acceptRun(OTHER_RUN_ID); // e.g. the warm-up
    await deliver(target, event(1, 1, OTHER_RUN_ID));
    target.reset();
    target.acceptRun(RUN_ID);
    await deliver(target, event(2, 1, OTHER_RUN_ID)); // a late retry of the warm-up
    await deliver(target, event(3, 1, RUN_ID));
    expect(target.snapshot().counts).toMatchObject({ delivered: 1, foreign: 1 });

    // Run ids given as an option survive a reset.
    const fixed = receiver({ acceptRunIds: [RUN_ID] });
    fixed.reset();
    await deliver(fixed, event(4, 1, RUN_ID));
    expect(fixed.uniqueDelivered).toBe(1);
  });

  it('answers malformed bodies 400, counts them, and keeps serving', async () => {
    const target = receiver();
    const bodies = [
      '{"chain_id": 1,', // truncated JSON
      'not json at all',
      '[1,2,3]',
      'null',
      JSON.stringify({ ...event(1, 1), transaction_hash: undefined }),
      JSON.stringify({ ...event(1, 1), topics: undefined }),
      JSON.stringify({ ...event(1, 1), log_index: -1 }),
      JSON.stringify({ ...event(1, 1), log_index: 'x' }),
      JSON.stringify({ ...event(1, 1), transaction_hash: 12 }),
      '',
    ];
    for (const body of bodies) {
      const response = await post(target, body, signedHeaders(body));
      expect(response.statusCode, body).toBe(400);
    }
    // A body without a content type is malformed too.
    const bare = await target.app.inject({
      method: 'POST',
      url: '/webhook',
      headers: { 'x-webhook-id': USDC.id },
    });
    expect(bare.statusCode).toBe(400);
    const good = await deliver(target, event(1, 1));
    expect(good.statusCode).toBe(200);
    expect(target.snapshot().counts).toMatchObject({
      totalRequests: bodies.length + 2,
      malformed: bodies.length + 1,
      delivered: 1,
    });
  });

  it('without signature checks takes any X-Webhook-Id as an endpoint', async () => {
    const target = receiver({ endpoints: [], verifySignatures: false });
    const body = JSON.stringify(event(1, 1));
    const response = await post(target, body, {
      'content-type': 'application/json',
      'x-webhook-id': 'endpoint-x',
    });
    expect(response.statusCode).toBe(200);
    const snapshot = target.snapshot();
    expect(snapshot.counts.delivered).toBe(1);
    expect(snapshot.perEndpoint.get('endpoint-x')?.counts.delivered).toBe(1);
  });

  it('calls onDelivery with the unique count after each first delivery', async () => {
    const target = receiver();
    const seen: number[] = [];
    target.onDelivery = (count) => seen.push(count);
    await deliver(target, event(1, 1));
    await deliver(target, event(1, 1));
    await deliver(target, event(2, 1));
    expect(seen).toEqual([1, 2]);
  });
});

describe('Receiver accounting', () => {
  it('counts a valid delivery the run does not expect as unexpected, without latency', async () => {
    const target = receiver();
    target.expectPairs((endpointId, sequence) => endpointId === USDC.id && sequence < 10);
    expect((await deliver(target, event(1, 1), USDC)).statusCode).toBe(200);
    expect((await deliver(target, event(1, 1), DAI)).statusCode).toBe(200);
    expect((await deliver(target, event(50, 1), USDC)).statusCode).toBe(200);
    const { counts, latency, perEndpoint } = target.snapshot();
    expect(counts).toMatchObject({ delivered: 1, unexpected: 2, duplicates: 0 });
    expect(latency.totalCount).toBe(1);
    expect(perEndpoint.get(DAI.id)?.counts.unexpected).toBe(1);
    expect(target.uniqueDelivered).toBe(1);
    target.reset();
    expect((await deliver(target, event(1, 1), DAI)).statusCode).toBe(200);
    expect(target.snapshot().counts).toMatchObject({ delivered: 1, unexpected: 0 });
  });

  it('counts latencies below 0 or above the histogram maximum instead of clamping them silently', async () => {
    let nowUs = 1_000_000;
    const target = receiver({ clock: { nowUs: () => nowUs } });
    await deliver(target, event(1, 2_000_000)); // sent "after" it arrived: another clock
    nowUs = 5 * 3_600_000_000;
    await deliver(target, event(2, 1_000)); // more than an hour
    await deliver(target, event(3, nowUs - 1_000));
    const snapshot = target.snapshot();
    expect(snapshot.counts.delivered).toBe(3);
    expect(snapshot.latencyOutOfRange).toBe(2);
    expect(snapshot.perEndpoint.get(USDC.id)?.latencyOutOfRange).toBe(2);
    expect(target.metricsJson().latency_out_of_range).toBe(2);
  });

  it('remembers pairs it turned away for good (an injected 4xx EthHook never retries)', async () => {
    const target = receiver({ faults: { failureRate: 1, failureStatus: 400 } });
    target.acceptRun(RUN_ID);
    expect((await deliver(target, event(4, 1))).statusCode).toBe(400);
    expect((await deliver(target, event(5, 1, OTHER_RUN_ID))).statusCode).toBe(400);
    expect(target.hasRejectedSequence(USDC.id, RUN_ID, 4)).toBe(true);
    expect(target.hasRejectedSequence(USDC.id, OTHER_RUN_ID, 5)).toBe(false);
    expect(target.uniqueRejected).toBe(1);
    target.setFaults({ failureStatus: 503 });
    expect((await deliver(target, event(6, 1))).statusCode).toBe(503);
    target.setFaults({ failureStatus: 429 });
    expect((await deliver(target, event(7, 1))).statusCode).toBe(429);
    expect(target.hasRejectedSequence(USDC.id, RUN_ID, 6)).toBe(false);
    expect(target.hasRejectedSequence(USDC.id, RUN_ID, 7)).toBe(false);
    expect(target.uniqueRejected).toBe(1);
  });
});

describe('Receiver faults', () => {
  async function statuses(target: Receiver, count: number): Promise<number[]> {
    const result: number[] = [];
    for (let i = 0; i < count; i++) result.push((await deliver(target, event(i, 1))).statusCode);
    return result;
  }

  it('fails about the given fraction, deterministically for a seed, without counting a delivery', async () => {
    const faults = { failureRate: 0.3, seed: 42 };
    const first = await statuses(receiver({ faults }), 1000);
    const second = await statuses(receiver({ faults }), 1000);
    expect(second).toEqual(first);
    const failures = first.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(250);
    expect(failures).toBeLessThan(350);
    expect(first.filter((s) => s !== 503 && s !== 200)).toEqual([]);

    const counted = receivers[0]!.snapshot().counts;
    expect(counted.failedAttempts).toBe(failures);
    expect(counted.delivered).toBe(1000 - failures);
    expect(counted.totalRequests).toBe(1000);
  });

  it('delivers a retry of a failed attempt as the first delivery', async () => {
    const target = receiver({ faults: { failureRate: 1, failureStatus: 500 } });
    expect((await deliver(target, event(1, 1))).statusCode).toBe(500);
    target.setFaults({ failureRate: 0 });
    expect((await deliver(target, event(1, 1))).statusCode).toBe(200);
    expect(target.snapshot().counts).toMatchObject({
      failedAttempts: 1,
      delivered: 1,
      duplicates: 0,
    });
  });

  it('holds every reply back by delayMs', async () => {
    const target = receiver({ faults: { delayMs: 120 } });
    const startedAt = performance.now();
    const response = await deliver(target, event(1, monotonicClock.nowUs()));
    expect(response.statusCode).toBe(200);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(115);
  });

  it('takes no webhook during an injected stall, then takes the held ones at its end', async () => {
    const target = receiver();
    target.setStall({ atSec: 0, ms: 300 });
    const originUs = monotonicClock.nowUs();
    target.startTimeline(originUs);
    const sentUs = monotonicClock.nowUs();
    const held = await deliver(target, event(1, sentUs));
    expect(held.statusCode).toBe(200);
    // Taken at the end of the window: its latency includes the stall.
    const snapshot = target.snapshot();
    expect(snapshot.firstReceiveUs! - originUs).toBeGreaterThanOrEqual(300_000);
    expect(snapshot.latency.minNonZeroValue).toBeGreaterThanOrEqual(290_000);
    expect(snapshot.seconds?.counts).toEqual([1]);
  });

  it('takes a held webhook only once its own clock has left the stall window, whenever timers fire', async () => {
    // A clock at half the timers' speed: a timer set for the rest of the window fires when this
    // clock has seen only half of it (libuv's up-to-1-ms-early timers, magnified).
    const startUs = monotonicClock.nowUs();
    const clock: Clock = {
      nowUs: () => startUs + Math.floor((monotonicClock.nowUs() - startUs) / 2),
    };
    const target = receiver({ clock });
    target.setStall({ atSec: 0, ms: 100 });
    const originUs = clock.nowUs();
    target.startTimeline(originUs);
    expect((await deliver(target, event(1, originUs))).statusCode).toBe(200);
    expect(target.lastDeliveryUs).toBeGreaterThanOrEqual(originUs + 100_000);
    expect(target.snapshot().seconds?.counts).toEqual([1]);
  });

  it('holds nothing outside the stall window, nor once the stall is cleared', async () => {
    let nowUs = 10_000_000;
    const clock: Clock = { nowUs: () => nowUs };
    const target = receiver({ clock });
    target.setStall({ atSec: 1, ms: 500 });
    target.startTimeline(10_000_000);
    nowUs = 10_900_000; // before the window
    await deliver(target, event(1, 10_000_000));
    expect(target.lastDeliveryUs).toBe(10_900_000);
    nowUs = 11_500_000; // its end
    await deliver(target, event(2, 10_000_000));
    expect(target.lastDeliveryUs).toBe(11_500_000);
    expect(target.snapshot().seconds?.counts).toEqual([1, 1]);
    target.reset();
    target.setStall(null);
    target.startTimeline(10_000_000);
    nowUs = 11_200_000;
    await deliver(target, event(3, 10_000_000));
    expect(target.lastDeliveryUs).toBe(11_200_000);
  });

  it('rejects faults that make no sense', () => {
    expect(() => receiver({ faults: { failureRate: 1.5 } })).toThrow(/failureRate/);
    expect(() => receiver().setFaults({ failureStatus: 200 })).toThrow(/failureStatus/);
    expect(() => receiver().setFaults({ delayMs: -1 })).toThrow(/delayMs/);
  });
});

describe('Receiver HTTP surface', () => {
  it('keeps the seed /metrics shape and adds the richer figures', async () => {
    let nowUs = 5_000_000;
    const target = receiver({ clock: { nowUs: () => nowUs }, adminRoutes: true });
    nowUs = 6_000_000;
    await deliver(target, event(1, 5_500_000));
    await deliver(target, event(1, 5_500_000));
    await post(target, 'garbage', signedHeaders('garbage'));
    nowUs = 7_000_000;
    const response = await target.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    const metrics = response.json();
    for (const key of [
      'total_requests',
      'successful',
      'failed',
      'uptime_seconds',
      'throughput_rps',
      'recent_throughput_rps',
    ]) {
      expect(typeof metrics[key], key).toBe('number');
    }
    for (const key of ['min', 'max', 'avg', 'median', 'p95', 'p99', 'p50', 'p90', 'p999']) {
      expect(typeof metrics.latency_ms[key], key).toBe('number');
    }
    expect(metrics).toMatchObject({
      total_requests: 3,
      successful: 2,
      failed: 1,
      uptime_seconds: 2,
      throughput_rps: 1.5,
      delivered: 1,
      duplicates: 1,
      malformed: 1,
      bad_signatures: 0,
      foreign: 0,
      failed_attempts: 0,
      signatures_verified: true,
      accepted_run_ids: null,
    });
    expect(metrics.latency_ms.median).toBeCloseTo(500, 0);
    expect(typeof metrics.latency_histogram).toBe('string');
    expect(metrics.per_endpoint[USDC.id]).toMatchObject({
      name: 'USDC Transfers',
      total_requests: 3,
      delivered: 1,
    });
    expect(metrics.per_endpoint[USDC.id].latency_ms.max).toBeCloseTo(500, 0);
  });

  it('gives all seed latency keys as numbers before anything arrived', async () => {
    const metrics = receiver().metricsJson();
    expect(metrics.latency_ms).toMatchObject({ min: 0, max: 0, avg: 0, median: 0, p95: 0, p99: 0 });
  });

  it('answers /health and clears everything on POST /metrics/reset', async () => {
    const target = receiver({ adminRoutes: true });
    const health = await target.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });

    const payload = event(1, 1);
    await deliver(target, payload);
    const reset = await target.app.inject({ method: 'POST', url: '/metrics/reset' });
    expect(reset.statusCode).toBe(200);
    expect(target.snapshot().counts.totalRequests).toBe(0);
    expect(target.snapshot().latency.totalCount).toBe(0);
    expect(target.hasDelivered(USDC.id, payload.transaction_hash, payload.log_index)).toBe(false);
    // Endpoints survive a reset: the same event is a valid first delivery again.
    expect((await deliver(target, payload)).statusCode).toBe(200);
    expect(target.uniqueDelivered).toBe(1);
  });

  it('listens on 127.0.0.1 by default, on the configured path, and closes idempotently', async () => {
    const target = receiver({ path: '/hooks/in' });
    const base = await target.start();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(target.url).toBe(`${base}/hooks/in`);
    const body = JSON.stringify(event(1, 1));
    const response = await fetch(target.url, {
      method: 'POST',
      body,
      headers: signedHeaders(body),
    });
    expect(response.status).toBe(200);
    expect((await fetch(`${base}/webhook`, { method: 'POST', body })).status).toBe(404);
    await target.close();
    await target.close();
  });

  it('fails to start with EADDRINUSE when the port is taken', async () => {
    const first = receiver();
    const port = Number(new URL(await first.start()).port);
    const second = receiver({ port });
    await expect(second.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('serves GET /metrics and POST /metrics/reset only when asked (the `receive` command)', async () => {
    const target = receiver();
    await deliver(target, event(1, 1));
    expect((await target.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    const reset = await target.app.inject({ method: 'POST', url: '/metrics/reset' });
    expect(reset.statusCode).toBe(404);
    expect(target.uniqueDelivered).toBe(1);
    expect((await target.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('refuses a webhook path that would shadow its own routes', () => {
    expect(() => new Receiver({ path: '/metrics' })).toThrow(/path/);
    expect(() => new Receiver({ path: 'webhook' })).toThrow(/path/);
  });
});
