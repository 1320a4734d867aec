import { runCli, type CommandRegistrar } from './main.js';

// Each subcommand registers itself; the list is the CLI's table of contents.
const registrars: CommandRegistrar[] = [];

process.exitCode = await runCli(process.argv, registrars);
