import type { Command } from 'commander';
import pc from 'picocolors';
import pg from 'pg';
import { DEFAULT_CHAIN_ID } from '../../stack/contracts.js';
import { maskUrl } from '../../shared/redact.js';
import { describeConnectionError } from '../../stack/db.js';
import { SchemaNotReadyError, seedEndpoints, type SeededEndpoint } from '../../stack/seeder.js';
import { EXIT_CODES } from '../../check/exit.js';
import { UserError } from '../errors.js';
import { databaseUrl, defaultDatabaseUrl, httpUrl, positiveInt } from '../options.js';

export interface SeedFlags {
  databaseUrl?: string;
  webhookUrl: string;
  chainId: number;
  applySchema: boolean;
  json: boolean;
}

/** Seeds over one connection; every failure the user can fix becomes a UserError. */
export async function seed(flags: SeedFlags): Promise<SeededEndpoint[]> {
  const url = flags.databaseUrl ?? defaultDatabaseUrl();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await seedEndpoints(client, {
      webhookUrl: flags.webhookUrl,
      chainId: flags.chainId,
      applySchema: flags.applySchema,
    });
  } catch (error) {
    if (error instanceof SchemaNotReadyError) {
      throw new UserError(`${error.message} (database ${maskUrl(url)})`);
    }
    const unreachable = describeConnectionError(error, url);
    // Not a bad input: PostgreSQL does not answer (the exit code says which, as run's does).
    if (unreachable) {
      throw new UserError(
        `${unreachable} (set --database-url or DATABASE_URL)`,
        EXIT_CODES.service,
      );
    }
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function formatSeeded(endpoints: readonly SeededEndpoint[], databaseUrl: string): string {
  const lines = [
    `${pc.bold('seeded')} ${endpoints.length} endpoints in ${maskUrl(databaseUrl)} ` +
      `→ ${pc.cyan(endpoints[0]?.webhookUrl ?? '')}`,
  ];
  for (const endpoint of endpoints) {
    const events = endpoint.eventSignatures
      ? endpoint.eventSignatures.map((hash) => `${hash.slice(0, 10)}…`).join(', ')
      : 'all events';
    lines.push(
      `  ${endpoint.name.padEnd(17)} ${pc.dim(endpoint.id)}  ` +
        `${endpoint.contractAddresses?.join(', ') ?? 'any contract'} · ${events} · ` +
        `chains ${endpoint.chainIds?.join(', ') ?? 'any'}`,
    );
  }
  return lines.join('\n');
}

export function registerSeedCommand(
  program: Command,
  stdout: NodeJS.WritableStream = process.stdout,
): void {
  program
    .command('seed')
    .description(
      'Create or refresh the load-test user, "Load Test App" and its five webhook endpoints in ' +
        "EthHook's PostgreSQL (idempotent; touches no other rows).",
    )
    .requiredOption(
      '--webhook-url <url>',
      'the URL the SUT must POST webhooks to (e.g. http://host.docker.internal:8000/webhook)',
      httpUrl,
    )
    .option(
      '--database-url <url>',
      'PostgreSQL URL (default: $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)',
      databaseUrl,
    )
    .option('--chain-id <id>', 'chain the endpoints listen to', positiveInt, DEFAULT_CHAIN_ID)
    .option('--apply-schema', "create EthHook's tables when they are missing", false)
    .option('--json', 'print the seeded endpoints (ids, secrets, filters) as JSON', false)
    .action(async (flags: SeedFlags) => {
      const endpoints = await seed(flags);
      stdout.write(
        flags.json
          ? `${JSON.stringify(endpoints, null, 2)}\n`
          : `${formatSeeded(endpoints, flags.databaseUrl ?? defaultDatabaseUrl())}\n`,
      );
    });
}
