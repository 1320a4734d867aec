import type { Command } from 'commander';
import { addSettingFlags } from './settings-flags.js';

/** Receiver fault injection: --fail-rate, --fail-status, --delay-ms (declared in src/settings). */
export function addFaultFlags(command: Command): Command {
  return addSettingFlags(command, ['failRate', 'failStatus', 'delayMs']);
}
