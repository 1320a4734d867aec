import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scripted webhook receiver for the reference pipeline's tests (tests only). Each request is
 * recorded with its raw body; `plan` says, per transaction hash, how to answer the 1st, 2nd, ...
 * request: a status code, 'drop' (destroy the socket: a network error) or { status, delayMs }.
 */
export type PlannedAnswer = number | 'drop' | { status: number; delayMs: number };

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  txHash: string;
  receivedAtMs: number;
  /** Set once the answer was written (undefined for 'drop'). */
  answeredStatus?: number;
}

export interface TestReceiver {
  url: string;
  requests: ReceivedRequest[];
  plan: Map<string, PlannedAnswer[]>;
  requestsFor(txHash: string): ReceivedRequest[];
  close(): Promise<void>;
}

export async function startTestReceiver(): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const plan = new Map<string, PlannedAnswer[]>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let txHash = '';
      try {
        txHash = String((JSON.parse(rawBody) as { transaction_hash?: unknown }).transaction_hash);
      } catch {
        // recorded with an empty hash; the test will notice
      }
      const record: ReceivedRequest = {
        headers: request.headers,
        rawBody,
        txHash,
        receivedAtMs: performance.now(),
      };
      requests.push(record);
      const answers = plan.get(txHash) ?? [];
      const index = requests.filter((r) => r.txHash === txHash).length - 1;
      const answer = answers[Math.min(index, answers.length - 1)] ?? 200;
      if (answer === 'drop') {
        request.socket.destroy();
        return;
      }
      const { status, delayMs } =
        typeof answer === 'number' ? { status: answer, delayMs: 0 } : answer;
      setTimeout(() => {
        record.answeredStatus = status;
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ ok: status < 300 }));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    requests,
    plan,
    requestsFor: (txHash) => requests.filter((r) => r.txHash === txHash),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Polls `condition` every 20 ms; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
