import { describe, expect, it } from 'vitest';
import { buildProgram } from '../main.js';
import { registerPublishCommand } from './publish.js';
import { registerReceiveCommand } from './receive.js';

/** The full `<command> --help` text, as commander prints it (help text added after included). */
function helpOf(name: string): string {
  const program = buildProgram([registerPublishCommand, registerReceiveCommand]);
  const command = program.commands.find((candidate) => candidate.name() === name)!;
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

describe('publish --help and receive --help', () => {
  it('say that publisher and receiver must run on one host (latency reads one clock)', () => {
    for (const name of ['publish', 'receive']) {
      expect(helpOf(name)).toMatch(/Publisher and receiver must run on one host/);
      expect(helpOf(name)).toMatch(/out of\s+range \(a run with any is invalid\)/);
    }
  });
});
