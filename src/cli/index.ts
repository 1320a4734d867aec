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

// A reader that goes away (`| head`, or a `| tee` that the same Ctrl-C ended first) must not end a
// run before it has stopped what it started: a write to a closed pipe is dropped, not thrown.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await runCli(process.argv, registrars);
