import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_CHAIN_ID } from '../stack/contracts.js';
import { parseMix, type EventMix } from '../engine/events/generator.js';
import { fraction, nonNegativeInt, nonNegativeNumber, positiveInt } from './options.js';

/** Flag groups shared by several commands, so each flag means and checks the same everywhere. */

export function mixArgument(raw: string): EventMix {
  try {
    return parseMix(raw);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function errorStatus(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 400 || value > 599) {
    throw new InvalidArgumentError('Expected an HTTP error status from 400 to 599 (e.g. 503).');
  }
  return value;
}

/** What the generated events look like: --chain-id, --seed, --mix. */
export function addEventFlags(command: Command): Command {
  return command
    .option('--chain-id <id>', 'chain id: stream events:<id>', positiveInt, DEFAULT_CHAIN_ID)
    .option(
      '--seed <n>',
      'seed of the generated events (same seed, same stream)',
      nonNegativeInt,
      1,
    )
    .option(
      '--mix <weights>',
      'event mix, e.g. usdc=2,weth=1 (default: even over the five endpoints)',
      mixArgument,
    );
}

/** Receiver fault injection: --fail-rate, --fail-status, --delay-ms. */
export function addFaultFlags(command: Command): Command {
  return command
    .option(
      '--fail-rate <fraction>',
      'answer this fraction of webhooks with --fail-status (retry testing)',
      fraction,
      0,
    )
    .option('--fail-status <code>', 'status of injected failures', errorStatus, 503)
    .option('--delay-ms <ms>', 'hold every webhook reply back this long', nonNegativeNumber, 0);
}

export function progressOption(): Option {
  return new Option(
    '--progress <mode>',
    'progress on stderr: a bar on a terminal, else a line every 5 s',
  )
    .choices(['auto', 'bar', 'lines', 'off'])
    .default('auto');
}
