import { runCli, type CommandRegistrar } from './main.js';
import { registerBaselineCommand } from './commands/baseline.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerHistoryCommand } from './commands/history.js';
import { registerQuickstartCommand } from './commands/quickstart.js';
import { registerReceiveCommand } from './commands/receive.js';
import { registerReferenceCommand } from './commands/reference.js';
import { registerRunCommand } from './commands/run.js';
import { registerSeedCommand } from './commands/seed.js';
import { registerPublishCommand } from './commands/publish.js';

// Each subcommand registers itself; the list is the CLI's table of contents.
const registrars: CommandRegistrar[] = [
  registerQuickstartCommand,
  registerRunCommand,
  registerReceiveCommand,
  registerSeedCommand,
  registerReferenceCommand,
  registerCompareCommand,
  registerBaselineCommand,
  registerHistoryCommand,
  registerPublishCommand,
];

process.exitCode = await runCli(process.argv, registrars);
