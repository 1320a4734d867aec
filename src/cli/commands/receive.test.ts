import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { encodeTxHash } from '../../engine/events/identity.js';
import { signBody } from '../../engine/receiver/signature.js';
import { TEST_CLI_ARGS } from '../../stack/test-support.js';
import { loadEndpointsFile } from './receive.js';

const CLI = [...TEST_CLI_ARGS, 'receive'];
const RUN_ID = 'feedfacecafebeef';
const ENDPOINT = { id: 'ep-1', name: 'USDC Transfers', secret: 'top-secret' };
const dir = mkdtempSync(join(tmpdir(), 'receive-cli-'));
const endpointsFile = join(dir, 'endpoints.json');
writeFileSync(endpointsFile, JSON.stringify([ENDPOINT]));

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(args: string[]): { child: ChildProcess; exited: Promise<Exited>; stderr(): string } {
  const child = spawn(process.execPath, [...CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<Exited>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exited, stderr: () => stderr };
}

/** Runs the CLI to its end; a hang fails the test instead of blocking it. */
async function run(args: string[]): Promise<Exited> {
  const { child, exited } = start(args);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

async function waitForUrl(stderr: () => string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const match = /receiving webhooks on (http:\/\/\S+)/.exec(stderr());
    if (match) return match[1]!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`receiver did not start:\n${stderr()}`);
}

function event(sequence: number) {
  return {
    chain_id: 11155111,
    block_number: 5_000_000,
    block_hash: `0x${'b'.repeat(64)}`,
    transaction_hash: encodeTxHash({
      runId: RUN_ID,
      shard: 0,
      sequence,
      intendedSendUs: Number(process.hrtime.bigint() / 1000n),
    }),
    log_index: 0,
    contract_address: '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238',
    topics: [`0x${'d'.repeat(64)}`],
    data: '0x',
    timestamp: 1_700_000_000,
  };
}

describe('receive command', () => {
  let blocker: Server | undefined;
  afterAll(() => blocker?.close());

  it('serves until SIGTERM and prints the final metrics as JSON', async () => {
    const receiver = start([
      '--port',
      '0',
      '--endpoints-file',
      endpointsFile,
      '--run-id',
      RUN_ID,
      '--json',
      '--duration',
      '60',
    ]);
    const url = await waitForUrl(receiver.stderr);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook$/);
    const body = JSON.stringify(event(1));
    const headers = { 'content-type': 'application/json', 'x-webhook-id': ENDPOINT.id };
    const good = await fetch(url, {
      method: 'POST',
      body,
      headers: { ...headers, 'x-webhook-signature': signBody(ENDPOINT.secret, body) },
    });
    const forged = await fetch(url, {
      method: 'POST',
      body: JSON.stringify(event(2)),
      headers: { ...headers, 'x-webhook-signature': signBody('guess', body) },
    });
    expect([good.status, forged.status]).toEqual([200, 401]);

    receiver.child.kill('SIGTERM');
    const { code, stdout, stderr } = await receiver.exited;
    expect(code, stderr).toBe(0);
    const metrics = JSON.parse(stdout);
    expect(metrics).toMatchObject({
      total_requests: 2,
      delivered: 1,
      bad_signatures: 1,
      signatures_verified: true,
      accepted_run_ids: [RUN_ID],
    });
    expect(metrics.per_endpoint[ENDPOINT.id].name).toBe(ENDPOINT.name);
  });

  it('stops by itself after --duration with a readable summary', async () => {
    const { code, stdout, stderr } = await run(['--port', '0', '--duration', '0.5']);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('signatures not verified (no --endpoints-file)');
    expect(stdout).toContain('Receiver summary');
  });

  it('names --port when the port is taken', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const { code, stderr } = await run(['--port', String(taken), '--duration', '5']);
    expect(code).toBe(64);
    expect(stderr).toContain(`--port ${taken}`);
    expect(stderr).toContain('already in use');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it.each([
    [['--port', '70000'], '--port'],
    [['--port', 'abc'], '--port'],
    [['--fail-rate', '1.5'], '--fail-rate'],
    [['--fail-status', '200'], '--fail-status'],
    [['--delay-ms', '-5'], '--delay-ms'],
    [['--run-id', 'not-a-run-id'], '--run-id'],
    [['--path', 'webhook'], '--path'],
    [['--path', '/metrics'], '--path'],
    [['--duration', '0'], '--duration'],
    [['--endpoints-file', join(dir, 'missing.json')], '--endpoints-file'],
    [['--bogus'], '--bogus'],
  ])('rejects %j naming %s', async (args, flag) => {
    const { code, stderr } = await run([...args, '--port', '0', '--duration', '5']);
    expect(code).not.toBe(0);
    expect(stderr).toContain(flag);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('loadEndpointsFile', () => {
  it('accepts hmac_secret for secret and defaults the name to the id', () => {
    const file = join(dir, 'dump.json');
    writeFileSync(file, JSON.stringify([{ id: 'a', hmac_secret: 's' }]));
    expect(loadEndpointsFile(file)).toEqual([{ id: 'a', name: 'a', secret: 's' }]);
  });

  it('names the file and the entry that is wrong', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ id: 'a', secret: 's' }, { id: 'b' }]));
    expect(() => loadEndpointsFile(file)).toThrow(/--endpoints-file .*bad\.json: entry 1/);
    writeFileSync(file, '{"id": "a"}');
    expect(() => loadEndpointsFile(file)).toThrow(/JSON array/);
    writeFileSync(file, '[');
    expect(() => loadEndpointsFile(file)).toThrow(/cannot read it as JSON/);
  });
});
