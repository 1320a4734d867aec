/**
 * Receiver throughput as a ratio to a bare fastify handler, both measured in this run.
 *
 * Each server runs alone in a child process (its own event loop, JIT and GC); the load comes from
 * this process with one node:http keep-alive client, the same for both: same connections, same
 * bodies (a realistic signed Transfer webhook, unique per request so the receiver does its full
 * work: HMAC check, identity decode, dedupe, HDR record), same headers. Rounds alternate between
 * the two servers so drift in the machine's load (2 shared cores) hits both alike. Besides
 * requests/s it reports the server CPU time per request, which does not depend on whether the
 * client or the server was the bottleneck.
 *
 * Run alone: `npx tsx bench/receiver.ts` (add `--json` for the figures as JSON).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { monotonicClock } from '../src/engine/clock.js';
import { LOAD_TEST_ENDPOINTS } from '../src/stack/contracts.js';
import { EventGenerator, fieldsToObject } from '../src/engine/events/generator.js';
import { encodeTxHash, newRunId } from '../src/engine/events/identity.js';
import {
  Receiver,
  type ReceiverCounts,
  type ReceiverEndpoint,
} from '../src/engine/receiver/receiver.js';
import { signBody, signingKey } from '../src/engine/receiver/signature.js';
import { PROFILE_TOP, profileLines, Profiler, topSelfTime } from './profile.js';

export interface ReceiverBenchOptions {
  /** Measured time per side, split into `rounds` alternating rounds. Default 10 s. */
  durationMsPerSide?: number;
  rounds?: number;
  /** Keep-alive connections. Default 8. */
  connections?: number;
  /** Requests in flight on each connection. Default 4. */
  pipelining?: number;
  warmupMs?: number;
}

export interface ReceiverBenchResult {
  ratio: number;
  ourRps: number;
  bareRps: number;
  lines: string[];
}

type ServerKind = 'ours' | 'bare';

interface ChildMessage {
  type: 'listening' | 'usage' | 'counts' | 'profiling' | 'profile';
  port?: number;
  cpuUs?: number;
  counts?: ReceiverCounts;
  lines?: string[];
}

const THIS_FILE = fileURLToPath(import.meta.url);
const REPO_ROOT = join(dirname(THIS_FILE), '..');
const ENDPOINTS: ReceiverEndpoint[] = LOAD_TEST_ENDPOINTS.map((spec, index) => ({
  id: `00000000-0000-4000-8000-00000000000${index}`,
  name: spec.endpointName,
  secret: `bench-secret-${spec.key}`,
}));

// ---------------------------------------------------------------- child: one server

async function serve(kind: ServerKind, runId: string): Promise<void> {
  let port: number;
  let counts: () => ReceiverCounts | undefined = () => undefined;
  if (kind === 'ours') {
    const receiver = new Receiver({ endpoints: ENDPOINTS, acceptRunIds: [runId] });
    port = Number(new URL(await receiver.start()).port);
    counts = () => receiver.snapshot().counts;
  } else {
    // The fastify hello-world of a JSON webhook: default body parser, object reply.
    const app = Fastify({ logger: false });
    app.post('/webhook', async () => ({ status: 'ok' }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  }
  let profiler: Profiler | null = null;
  process.on('message', (message: { type: string }) => {
    // Only a CPU reading between rounds: anything heavier would be charged to the next round.
    if (message.type === 'usage') {
      const { user, system } = process.cpuUsage();
      process.send!({ type: 'usage', cpuUs: user + system });
    } else if (message.type === 'counts') {
      process.send!({ type: 'counts', counts: counts() });
    } else if (message.type === 'profile-start') {
      profiler = new Profiler();
      void profiler.start().then(() => process.send!({ type: 'profiling' }));
    } else if (message.type === 'profile-stop') {
      void profiler!.stop().then((profile) => {
        const title = kind === 'ours' ? 'our receiver' : 'the bare handler';
        const lines = [
          ...profileLines(`${title}, by function`, topSelfTime(profile, PROFILE_TOP)),
          ...profileLines(`${title}, by file or package`, topSelfTime(profile, 5, 'place')),
        ];
        process.send!({ type: 'profile', lines });
      });
    } else if (message.type === 'stop') {
      process.exit(0);
    }
  });
  // Never outlive the bench: the IPC channel closes when the parent exits, however it exits.
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'listening', port });
}

// ---------------------------------------------------------------- parent: load and figures

interface Server {
  kind: ServerKind;
  child: ChildProcess;
  port: number;
  usage(): Promise<ChildMessage>;
  counts(): Promise<ReceiverCounts>;
  /** Starts the server's in-process CPU profiler; `profileLines` stops it and summarises. */
  startProfile(): Promise<void>;
  profileLines(): Promise<string[]>;
}

function startServer(kind: ServerKind, runId: string): Promise<Server> {
  const child = fork(THIS_FILE, ['serve', kind, runId], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: ChildMessage['type']): Promise<ChildMessage> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage): void => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code: number | null): void =>
        reject(new Error(`bench ${kind} server exited early (code ${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return next('listening').then(({ port }) => ({
    kind,
    child,
    port: port!,
    usage: () => {
      const reply = next('usage');
      child.send({ type: 'usage' });
      return reply;
    },
    counts: () => {
      const reply = next('counts');
      child.send({ type: 'counts' });
      return reply.then((message) => message.counts!);
    },
    startProfile: () => {
      const reply = next('profiling');
      child.send({ type: 'profile-start' });
      return reply.then(() => undefined);
    },
    profileLines: () => {
      const reply = next('profile');
      child.send({ type: 'profile-stop' });
      return reply.then((message) => message.lines!);
    },
  }));
}

/**
 * Builds signed webhook bodies as the SUT would post them, from one realistic template; only the
 * tx_hash (run id, sequence, intended send time) changes from request to request.
 */
class WebhookSource {
  private sequence = 0;
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly keys = ENDPOINTS.map((endpoint) => signingKey(endpoint.secret));
  readonly payloadBytes: number;

  constructor(private readonly runId: string) {
    const generator = new EventGenerator({ chainId: 11155111, runId, seed: 1 });
    const fields = fieldsToObject(generator.build(0, 0, 0));
    const template = {
      block_hash: fields.block_hash,
      block_number: Number(fields.block_number),
      chain_id: Number(fields.chain_id),
      contract_address: fields.contract,
      data: fields.data,
      log_index: 0,
      timestamp: Number(fields.timestamp),
      topics: JSON.parse(fields.topics!) as string[],
      transaction_hash: '@TX@',
    };
    [this.prefix, this.suffix] = JSON.stringify(template).split('@TX@') as [string, string];
    this.payloadBytes = Buffer.byteLength(this.next().body);
  }

  next(): { body: string; headers: Record<string, string | number> } {
    const sequence = this.sequence++;
    const endpointIndex = sequence % ENDPOINTS.length;
    const txHash = encodeTxHash({
      runId: this.runId,
      shard: 0,
      sequence,
      intendedSendUs: monotonicClock.nowUs(),
    });
    const body = this.prefix + txHash + this.suffix;
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-webhook-id': ENDPOINTS[endpointIndex]!.id,
        'x-webhook-signature': signBody(this.keys[endpointIndex]!, body),
        'x-webhook-attempt': '1',
      },
    };
  }
}

/**
 * A minimal pipelined HTTP/1.1 client on raw sockets. node:http costs the client about as much CPU
 * per request as fastify costs the server, so on a small machine the client would be the bottleneck
 * and both servers would measure the same; this one costs a fraction of that, so the servers set
 * the pace. Responses are framed by content-length (fastify always sends it for these replies).
 */
class PipelinedConnection {
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  inFlight = 0;

  constructor(
    port: number,
    private readonly onResponse: (status: number) => void,
  ) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }

  send(webhook: { body: string; headers: Record<string, string | number> }): void {
    let head = 'POST /webhook HTTP/1.1\r\nhost: 127.0.0.1\r\n';
    for (const name in webhook.headers) head += `${name}: ${webhook.headers[name]}\r\n`;
    this.inFlight++;
    this.socket.write(`${head}\r\n${webhook.body}`);
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.socket.cork();
    for (;;) {
      const headerEnd = this.pending.indexOf('\r\n\r\n');
      if (headerEnd < 0) break;
      const head = this.pending.toString('latin1', 0, headerEnd).toLowerCase();
      const lengthMatch = /\r\ncontent-length: *(\d+)/.exec(head);
      if (!lengthMatch) throw new Error(`bench client: response without content-length:\n${head}`);
      const end = headerEnd + 4 + Number(lengthMatch[1]);
      if (this.pending.length < end) break;
      this.pending = this.pending.subarray(end);
      this.inFlight--;
      this.onResponse(Number(head.slice(9, 12)));
    }
    this.socket.uncork();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Keeps `connections` x `pipelining` requests in flight for `durationMs`, then lets them finish. */
async function load(
  server: Server,
  source: WebhookSource,
  shape: { connections: number; pipelining: number },
  durationMs: number,
): Promise<{ ok: number; errors: number; elapsedUs: number; cpuUs: number; clientCpuUs: number }> {
  const before = await server.usage();
  const clientBefore = process.cpuUsage();
  const startUs = monotonicClock.nowUs();
  const deadlineUs = startUs + durationMs * 1000;
  let ok = 0;
  let errors = 0;
  let lastResponseUs = startUs;
  let finish = (): void => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const connections: PipelinedConnection[] = [];
  for (let i = 0; i < shape.connections; i++) {
    const connection: PipelinedConnection = new PipelinedConnection(server.port, (status) => {
      if (status === 200) ok++;
      else errors++;
      lastResponseUs = monotonicClock.nowUs();
      if (lastResponseUs < deadlineUs) connection.send(source.next());
      else if (connections.every((c) => c.inFlight === 0)) finish();
    });
    connections.push(connection);
  }
  await Promise.all(connections.map((c) => c.ready()));
  for (const connection of connections) {
    for (let i = 0; i < shape.pipelining; i++) connection.send(source.next());
  }
  await finished;
  const clientAfter = process.cpuUsage(clientBefore);
  const after = await server.usage();
  for (const connection of connections) connection.close();
  return {
    ok,
    errors,
    elapsedUs: lastResponseUs - startUs,
    cpuUs: after.cpuUs! - before.cpuUs!,
    clientCpuUs: clientAfter.user + clientAfter.system,
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface Totals {
  ok: number;
  errors: number;
  elapsedUs: number;
  cpuUs: number;
  clientCpuUs: number;
}

export async function benchReceiver(
  options: ReceiverBenchOptions = {},
): Promise<ReceiverBenchResult> {
  const durationMsPerSide = options.durationMsPerSide ?? 10_000;
  const rounds = options.rounds ?? 10;
  const shape = { connections: options.connections ?? 8, pipelining: options.pipelining ?? 4 };
  const warmupMs = options.warmupMs ?? 1_500;
  const roundMs = durationMsPerSide / rounds;
  const runId = newRunId();
  const source = new WebhookSource(runId);

  const servers = await Promise.all([startServer('bare', runId), startServer('ours', runId)]);
  const [bare, ours] = servers as [Server, Server];
  try {
    for (const server of servers) await load(server, source, shape, warmupMs);
    const empty = (): Totals => ({ ok: 0, errors: 0, elapsedUs: 0, cpuUs: 0, clientCpuUs: 0 });
    const totals = { bare: empty(), ours: empty() };
    const rpsRatios: number[] = [];
    const cpuRatios: number[] = [];
    const warmupDelivered = (await ours.counts()).delivered;
    for (let round = 0; round < rounds; round++) {
      // Short rounds, back to back, so a burst of other load on the machine hits both sides of a
      // pair; the reported ratio is the median over pairs. Who goes first alternates.
      const order = round % 2 === 0 ? [bare, ours] : [ours, bare];
      const pair = { bare: empty(), ours: empty() };
      for (const server of order) {
        const result = await load(server, source, shape, roundMs);
        pair[server.kind] = result;
        const total = totals[server.kind];
        total.ok += result.ok;
        total.errors += result.errors;
        total.elapsedUs += result.elapsedUs;
        total.cpuUs += result.cpuUs;
        total.clientCpuUs += result.clientCpuUs;
      }
      rpsRatios.push(pair.ours.ok / pair.ours.elapsedUs / (pair.bare.ok / pair.bare.elapsedUs));
      cpuRatios.push(pair.bare.cpuUs / pair.bare.ok / (pair.ours.cpuUs / pair.ours.ok));
    }
    const check = await ours.counts();
    // One more round, not counted in the figures above, with the profiler on.
    await ours.startProfile();
    await load(ours, source, shape, Math.max(roundMs, 2_000));
    const profile = await ours.profileLines();
    const bareRps = totals.bare.ok / (totals.bare.elapsedUs / 1e6);
    const ourRps = totals.ours.ok / (totals.ours.elapsedUs / 1e6);
    const ratio = median(rpsRatios);
    const bareCpuPerRequestUs = totals.bare.cpuUs / totals.bare.ok;
    const ourCpuPerRequestUs = totals.ours.cpuUs / totals.ours.ok;
    const clientCpuPerRequestUs =
      (totals.ours.clientCpuUs + totals.bare.clientCpuUs) / (totals.ours.ok + totals.bare.ok);
    const measuredDelivered = check.delivered - warmupDelivered;
    const spread = `${Math.min(...rpsRatios).toFixed(2)}-${Math.max(...rpsRatios).toFixed(2)}`;
    const lines = [
      `receiver throughput: ${ratio.toFixed(2)}x a bare fastify handler, median of ${rounds} pairs ` +
        `(range ${spread}; ours ${fmt(ourRps)} req/s, bare ${fmt(bareRps)} req/s; aim >= 0.8x)`,
      `  server CPU per request: ours ${ourCpuPerRequestUs.toFixed(1)} µs, bare ${bareCpuPerRequestUs.toFixed(1)} µs ` +
        `(median ratio ${median(cpuRatios).toFixed(2)}x); client ${clientCpuPerRequestUs.toFixed(1)} µs`,
      `  ${source.payloadBytes} B signed webhook, ${shape.connections} keep-alive connections x ${shape.pipelining} pipelined, ` +
        `${rounds} alternating rounds of ${(roundMs / 1000).toFixed(1)} s per side, the same raw-socket client for both`,
      `  receiver accounting: ${fmt(measuredDelivered)} delivered of ${fmt(totals.ours.ok)} answered 200, ` +
        `${check.badSignatures} bad signatures, ${check.duplicates} duplicates, ${check.malformed} malformed, ` +
        `${check.foreign} foreign; non-200 replies: ours ${totals.ours.errors}, bare ${totals.bare.errors}`,
    ];
    if (measuredDelivered !== totals.ours.ok || check.badSignatures + check.malformed > 0) {
      throw new Error(
        `receiver bench: the receiver did not accept every request\n${lines.join('\n')}`,
      );
    }
    return { ratio, ourRps, bareRps, lines: [...lines, ...profile] };
  } finally {
    for (const server of servers) {
      if (server.child.connected) server.child.send({ type: 'stop' });
    }
  }
}

const invokedAs = process.argv[1] ? pathToFileURL(process.argv[1]).href : '';
if (import.meta.url === invokedAs) {
  if (process.argv[2] === 'serve') {
    await serve(process.argv[3] as ServerKind, process.argv[4]!);
  } else {
    const result = await benchReceiver();
    if (process.argv.includes('--json')) {
      const { lines: _lines, ...figures } = result;
      process.stdout.write(`${JSON.stringify(figures)}\n`);
    } else {
      process.stdout.write(`${result.lines.join('\n')}\n`);
    }
  }
}
