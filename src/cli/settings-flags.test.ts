import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Given } from '../settings/resolve.js';
import { addConfigFlag, addSettingFlags } from './settings-flags.js';

/** A command with a few setting flags and --config, parsed in `dir`; the flags it ends with. */
async function parsed(args: string[], dir: string): Promise<Given> {
  let flags: Given = {};
  const command = addConfigFlag(
    addSettingFlags(new Command('run').exitOverride(), ['trials', 'startCommand', 'warmup']),
    () => dir,
  ).action((given: Given) => {
    flags = given;
  });
  await command.parseAsync(args, { from: 'user' });
  return flags;
}

describe('CLI flags from the settings declaration', () => {
  it('takes the project file under the flags, by default or by --config', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ethhook-config-'));
    writeFileSync(
      path.join(dir, 'ethhook-load-test.json'),
      '{"trials": 5, "start-command": "npm start", "comment": "never"}',
    );
    writeFileSync(path.join(dir, 'other.json'), '{"trials": 7}');
    expect(await parsed([], dir)).toMatchObject({ trials: 5, startCommand: 'npm start' });
    expect(await parsed(['--trials', '2'], dir)).toMatchObject({ trials: 2 });
    expect(await parsed(['--config', 'other.json'], dir)).toEqual({
      config: 'other.json',
      trials: 7,
    });
    await expect(parsed(['--config', 'none.json'], dir)).rejects.toThrow(
      /^The project file none\.json does not exist/,
    );
  });

  it('still takes the old names of renamed flags', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ethhook-config-'));
    expect(await parsed(['--start', 'node sut.js', '--warmup', '300'], dir)).toEqual({
      startCommand: 'node sut.js',
      warmup: 300,
    });
  });
});
