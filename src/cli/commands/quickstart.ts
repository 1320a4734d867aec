import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { stderrLogger } from '../../engine/log.js';
import { ensureServices } from '../throwaway.js';
import { addComparisonFlags, processIo, type CommandIo } from './compare.js';
import { addRunFlags, runCommand, type RunCommandFlags } from './run.js';
import { valueOf } from '../../settings/resolve.js';
import { settingOption } from '../settings-flags.js';

/** The committed baseline of the quick scenario, which quickstart compares with by default. */
const QUICKSTART_BASELINE = 'baselines/quick.json';

/**
 * The baseline quickstart compares with. The default, baselines/quick.json, is read from the
 * working directory when it has one, else from the package that holds this CLI (found by walking
 * up from the running script and from this module to a directory with a package.json and the
 * file): `quickstart` run outside the repository root, or from an installed package, still
 * compares with the committed baseline the README promises. A path the user chose is theirs.
 */
export function resolveQuickstartBaseline(
  requested: string,
  options: { cwd?: string; from?: readonly string[] } = {},
): string {
  const cwd = options.cwd ?? process.cwd();
  if (requested !== QUICKSTART_BASELINE || isAbsolute(requested)) return requested;
  if (existsSync(resolve(cwd, requested))) return requested;
  const starts = options.from ?? defaultStarts();
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, requested);
      if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return requested;
}

function defaultStarts(): string[] {
  const starts: string[] = [];
  const script = process.argv[1];
  if (script) {
    try {
      // npm links bin/ into node_modules/.bin: follow the link to the package.
      starts.push(dirname(realpathSync(script)));
    } catch {
      starts.push(dirname(resolve(script)));
    }
  }
  try {
    starts.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // A bundle without a file URL: the script's directory is enough.
  }
  return starts;
}

const shellQuote = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/** This very CLI, as the command line that started it (bundle, bin or tsx). */
export function selfCommand(): string {
  return [process.execPath, ...process.execArgv, process.argv[1]!].map(shellQuote).join(' ');
}

/**
 * The whole job on one machine with nothing set up: services (REDIS_URL / DATABASE_URL, else
 * localhost, else throwaway ones), the reference pipeline as the SUT, the quick scenario, and the
 * comparison with the committed baseline.
 */
export function registerQuickstartCommand(program: Command, io: CommandIo = processIo): void {
  const command = addRunFlags(
    program
      .command('quickstart')
      .description(
        'Run the quick scenario against the reference pipeline and compare it with baselines/quick.json; ' +
          'uses REDIS_URL and DATABASE_URL when set, else localhost, else starts throwaway Redis and PostgreSQL',
      ),
  )
    .addOption(
      settingOption('baseline', {
        help: 'Baseline to compare with; a missing file is an inconclusive verdict',
        defaultText: null,
      }).default(QUICKSTART_BASELINE),
    )
    .addOption(settingOption('name'))
    .option(
      '--sut-args <args>',
      'extra flags for the reference pipeline, e.g. "--processing-delay-ms 20"',
      '',
    );
  addComparisonFlags(command).action(async (flags: RunCommandFlags & { sutArgs: string }) => {
    const logger = stderrLogger();
    const services = await ensureServices(process.env, logger);
    try {
      const redisUrl = flags.redisUrl ?? services.redisUrl;
      const databaseUrl = flags.databaseUrl ?? services.databaseUrl;
      const chainId = valueOf(flags, 'chainId', 'cli');
      const start = [
        selfCommand(),
        'reference',
        `--redis-url ${shellQuote(redisUrl)}`,
        `--database-url ${shellQuote(databaseUrl)}`,
        `--chain-ids ${chainId}`,
        '--health-host 127.0.0.1 --processor-health-port 0 --delivery-health-port 0',
        flags.sutArgs,
      ].join(' ');
      const baseline = resolveQuickstartBaseline(flags.baseline!);
      if (baseline !== flags.baseline) logger.info(`comparing with ${baseline}`);
      if (!existsSync(baseline)) {
        logger.warn(`${baseline} does not exist: the verdict will be inconclusive`);
      }
      io.setExitCode(
        await runCommand(
          {
            ...flags,
            baseline,
            redisUrl,
            databaseUrl,
            applySchema: true,
            startCommand: flags.startCommand ?? start,
          },
          io,
          logger,
        ),
      );
    } finally {
      await services.stop();
    }
  });
}
