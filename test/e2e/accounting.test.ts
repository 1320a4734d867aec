import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeSingle } from '../../src/check/judging.js';
import { decodeTxHash } from '../../src/engine/events/identity.js';
import { decodeHistogram } from '../../src/engine/measure/histogram.js';
import { signBody } from '../../src/engine/receiver/signature.js';
import { runLoadTest } from '../../src/engine/run/run.js';
import { streamKey } from '../../src/stack/contracts.js';
import { isolatedStack, type IsolatedStack } from './helpers.js';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

/**
 * A faulty router between the reference pipeline and the receiver, standing in for a SUT with a
 * routing bug: it turns away every 40th event for good (400, which EthHook never retries), and
 * copies every 20th to another endpoint as well, signed with that endpoint's secret, so the copy
 * is a valid delivery of a pair nobody expected. The rest passes through. The receiver's port
 * comes in the query string (the run seeds `...?to={port}`).
 */
async function misroutingProxy(databaseUrl: string): Promise<{ server: Server; url: string }> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  let secrets: Map<string, string> | null = null;
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const target = new URL(request.url ?? '/', 'http://proxy');
      const receiverUrl = `http://127.0.0.1:${target.searchParams.get('to')}/webhook`;
      const endpointId = String(request.headers['x-webhook-id']);
      const sequence = decodeTxHash(
        (JSON.parse(body) as { transaction_hash: string }).transaction_hash,
      )!.sequence;
      const forward = (id: string, signature: string) =>
        fetch(receiverUrl, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-webhook-id': id,
            'x-webhook-signature': signature,
            'x-webhook-attempt': String(request.headers['x-webhook-attempt'] ?? '1'),
          },
        });
      if (sequence % 40 === 1) {
        response.writeHead(400).end('{"error":"rejected by the router"}');
        return;
      }
      if (sequence % 20 === 2) {
        secrets ??= new Map(
          (
            await db.query<{ id: string; hmac_secret: string }>(
              'SELECT id, hmac_secret FROM endpoints',
            )
          ).rows.map((row) => [row.id, row.hmac_secret]),
        );
        const [otherId, otherSecret] = [...secrets].find(([id]) => id !== endpointId)!;
        await forward(otherId, signBody(otherSecret, body));
      }
      const reply = await forward(endpointId, String(request.headers['x-webhook-signature']));
      response.writeHead(reply.status).end(await reply.text());
    })().catch(() => response.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.on('close', () => void db.end());
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/webhook?to={port}` };
}

describe('accounting per expected (endpoint, event) pair', () => {
  let stack: IsolatedStack;
  beforeAll(async () => {
    stack = await isolatedStack();
  });
  afterAll(async () => {
    await stack?.drop();
  });

  it('a SUT that drops some webhooks for good and misroutes others loses and fails, not 100%+ PASS', async () => {
    const pipeline = await stack.startPipeline();
    const proxy = await misroutingProxy(stack.databaseUrl);
    try {
      const result = await runLoadTest(
        stack.runOptions({
          events: 400,
          ratePerSec: 200,
          concurrency: 2,
          warmupEvents: 0,
          drainTimeoutMs: 2_000,
          receiver: { host: '127.0.0.1', port: 0, path: '/webhook', publicUrl: proxy.url },
        }),
      );
      // Every event matches one endpoint; 10 of 400 are turned away, 20 copied elsewhere.
      // Before, `delivered` counted the copies too: 410 of 400, lost 0, success 102.5%.
      expect(result.delivery).toMatchObject({
        expected: 400,
        delivered: 390,
        lost: 10,
        unexpected: 20,
        rejectedOnPurpose: 0,
        badSignatures: 0,
      });
      expect(result.delivery.successRate).toBeCloseTo(390 / 400, 10);
      expect(result.endpoints.reduce((sum, e) => sum + e.unexpected, 0)).toBe(20);
      // Lost pairs are charged to the gated latency: 400 samples, not 390.
      expect(decodeHistogram(result.delivery.latencyHistogram).totalCount).toBe(400);
      expect(result.delivery.latencyMs.count).toBe(400);
      expect(result.delivery.deliveredLatencyMs?.count).toBe(390);

      // Correctness fails on its own, with or without a reference.
      const verdict = judgeSingle([[result]], null, {
        tolerance: 1.5,
        gatedMetrics: null,
        minRounds: 1,
        maxRounds: 1,
      });
      expect(verdict.outcome).toBe('regression');
      const failed = verdict.metrics.filter((m) => m.status === 'regression').map((m) => m.id);
      expect(failed).toEqual(expect.arrayContaining(['lost', 'unexpected']));
    } finally {
      await new Promise((resolve) => proxy.server.close(resolve));
      await pipeline.stop();
    }
  });

  it('reports webhooks the receiver turned away on purpose (injected 400) as such, not as lost', async () => {
    const pipeline = await stack.startPipeline();
    try {
      const result = await runLoadTest(
        stack.runOptions({
          events: 300,
          ratePerSec: 300,
          warmupEvents: 0,
          drainTimeoutMs: 2_000,
          receiver: {
            host: '127.0.0.1',
            port: 0,
            path: '/webhook',
            failureRate: 0.1,
            failureStatus: 400,
          },
        }),
      );
      const { delivery } = result;
      expect(delivery.rejectedOnPurpose).toBeGreaterThan(10);
      expect(delivery.rejectedOnPurpose).toBe(delivery.failedAttempts);
      expect(delivery.lost).toBe(0);
      expect(delivery.delivered + delivery.rejectedOnPurpose).toBe(delivery.expected);
      // Every pair is accounted for, so the drain does not wait for the rejected ones.
      expect(delivery.drainEnded).toBe('complete');
    } finally {
      await pipeline.stop();
    }
  });

  it('ends the run with the reason when the warm-up delivers nothing, before measuring', async () => {
    // The SUT runs and reads the stream, but cannot reach the URL it was given.
    const pipeline = await stack.startPipeline();
    const redis = new Redis(stack.redisUrl);
    try {
      const before = await redis.xlen(streamKey(stack.chainId));
      await expect(
        runLoadTest(
          stack.runOptions({
            warmupEvents: 30,
            drainTimeoutMs: 1_000,
            receiver: {
              host: '127.0.0.1',
              port: 0,
              path: '/webhook',
              publicUrl: 'http://127.0.0.1:9/webhook',
            },
          }),
        ),
      ).rejects.toThrow(
        /the warm-up delivered 0 of 30 expected webhooks .*nothing was measured\. Check that the SUT can reach http:\/\/127\.0\.0\.1:9\/webhook/,
      );
      // The warm-up's 30 entries (and readiness probes) reached the stream, never the measured
      // run's 1,000.
      const added = (await redis.xlen(streamKey(stack.chainId))) - before;
      expect(added).toBeGreaterThanOrEqual(30);
      expect(added).toBeLessThan(1_000);
    } finally {
      redis.disconnect();
      await pipeline.stop();
    }
  });
});
