import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseSideFrom, type PairedFlags } from './run-paired.js';

const flags = (overrides: Partial<PairedFlags>): PairedFlags => ({
  compareTo: 'auto',
  rounds: 3,
  baseComposeFile: [],
  composeFile: [],
  start: './start.sh',
  ...overrides,
});

describe('baseSideFrom', () => {
  it('runs the base with its own command or compose files, in this directory', () => {
    expect(baseSideFrom(flags({ baseStart: './start-old.sh', prepare: 'make' }), '/repo')).toEqual({
      spec: {
        services: { mode: 'command', command: './start-old.sh' },
        cwd: '/repo',
        prepareCommand: 'make',
      },
      describe: 'the base started by --base-start `./start-old.sh`',
    });
    expect(baseSideFrom(flags({ baseComposeFile: ['old.yml'] }), '/repo')).toMatchObject({
      spec: {
        services: { mode: 'compose', files: ['old.yml'] },
        cwd: '/repo',
        prepareCommand: null,
      },
    });
  });

  it("runs the head's command or compose files from --base-dir", () => {
    const tree = mkdtempSync(path.join(tmpdir(), 'base-dir-'));
    expect(baseSideFrom(flags({ baseDir: tree }), '/repo')).toMatchObject({
      spec: { services: { mode: 'command', command: './start.sh' }, cwd: tree },
      describe: `the base in --base-dir ${tree}`,
    });
    const compose = baseSideFrom(
      flags({ start: undefined, composeFile: ['ci/compose.yml'], baseDir: tree }),
      '/repo',
    );
    expect(compose).toMatchObject({
      spec: {
        services: { mode: 'compose', files: [path.join(tree, 'ci/compose.yml')] },
        cwd: tree,
      },
    });
  });

  it('says why there is no base, and refuses what cannot work', () => {
    expect(baseSideFrom(flags({}), '/repo')).toEqual({
      why: 'none of --base-start, --base-compose-file or --base-dir is given',
    });
    expect(baseSideFrom(flags({ start: undefined, baseStart: './x' }), '/repo')).toEqual({
      why: 'this run does not start the SUT (no --start or --compose-file)',
    });
    expect(() =>
      baseSideFrom(flags({ baseStart: './x', baseComposeFile: ['a.yml'] }), '/repo'),
    ).toThrow('--base-start and --base-compose-file are both given');
    expect(() => baseSideFrom(flags({ baseDir: '/no/such/tree' }), '/repo')).toThrow(
      '--base-dir /no/such/tree: no such directory',
    );
  });
});
