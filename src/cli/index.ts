import { runCli, type CommandRegistrar } from './main.js';
import { registerReceiveCommand } from './commands/receive.js';

// Each subcommand registers itself; the list is the CLI's table of contents.
const registrars: CommandRegistrar[] = [registerReceiveCommand];

process.exitCode = await runCli(process.argv, registrars);
