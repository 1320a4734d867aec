import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../../stack/test-support.js';
import { EXIT_CODES } from '../../check/exit.js';
import { UserError } from '../errors.js';
import { buildProgram } from '../main.js';
import { registerSeedCommand } from './seed.js';

function collector(): { stream: Writable; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function seedCli(args: string[]): Promise<string> {
  const out = collector();
  const program = buildProgram([(p) => registerSeedCommand(p, out.stream)]);
  await program.parseAsync(['node', 'ethhook-load-test', 'seed', ...args]);
  return out.text();
}

describe('ethhook-load-test seed', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema('seedcli');
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('without tables and without --apply-schema, says what is missing', async () => {
    const failure = seedCli([
      '--database-url',
      schema.url,
      '--webhook-url',
      'http://127.0.0.1:9/webhook',
    ]);
    await expect(failure).rejects.toBeInstanceOf(UserError);
    await expect(failure).rejects.toThrow(
      /table endpoints not found .*has the SUT's migration run\? \(or pass --apply-schema\)/,
    );
  });

  it('with --apply-schema --json, prints the five endpoints with ids and secrets', async () => {
    const text = await seedCli([
      '--database-url',
      schema.url,
      '--webhook-url',
      'http://127.0.0.1:9/webhook',
      '--chain-id',
      '1',
      '--apply-schema',
      '--json',
    ]);
    const endpoints = JSON.parse(text) as { name: string; secret: string; chainIds: number[] }[];
    expect(endpoints.map((e) => e.name)).toEqual([
      'USDC Transfers',
      'WETH All Events',
      'DAI Transfers',
      'LINK Transfers',
      'Uniswap V3 Swaps',
    ]);
    expect(endpoints.every((e) => /^[0-9a-f]{64}$/.test(e.secret) && e.chainIds[0] === 1)).toBe(
      true,
    );
  });

  it('prints a readable summary with the password masked', async () => {
    const url = new URL(schema.url);
    url.password = 'hunter2';
    // trust auth ignores the password; the summary must not show it.
    const text = await seedCli([
      '--database-url',
      url.toString(),
      '--webhook-url',
      'http://127.0.0.1:9/webhook',
    ]);
    expect(text).toContain('seeded 5 endpoints');
    expect(text).toContain('WETH All Events');
    expect(text).toContain('all events');
    expect(text).not.toContain('hunter2');
  });

  it('an unreachable database is a user error naming it', async () => {
    const failure = seedCli([
      '--database-url',
      'postgres://postgres:secret@127.0.0.1:1/test',
      '--webhook-url',
      'http://127.0.0.1:9/webhook',
    ]);
    await expect(failure).rejects.toThrow(
      /cannot connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test/,
    );
  });

  it('an unreachable database exits 69 (service unavailable), as run does, not 64 (bad input)', async () => {
    const failure = seedCli([
      '--database-url',
      'postgres://postgres:secret@127.0.0.1:1/test',
      '--webhook-url',
      'http://127.0.0.1:9/webhook',
    ]);
    await expect(failure).rejects.toMatchObject({ exitCode: EXIT_CODES.service });
  });

  it('rejects a webhook URL that is not http(s)', async () => {
    const failure = seedCli(['--database-url', schema.url, '--webhook-url', 'ftp://x/webhook']);
    await expect(failure).rejects.toThrow(/Expected a http: or https: URL/);
  });
});
