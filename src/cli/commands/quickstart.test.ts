import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveQuickstartBaseline } from './quickstart.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DEFAULT = 'baselines/quick.json';

describe('quickstart: which baseline', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'quickstart-baseline-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("outside the repository root, finds the CLI's own baselines/quick.json", () => {
    const elsewhere = join(scratch, 'elsewhere');
    mkdirSync(elsewhere);
    // As the bin script and as this module would start it.
    for (const from of [join(REPO, 'bin'), join(REPO, 'src', 'cli', 'commands')]) {
      expect(resolveQuickstartBaseline(DEFAULT, { cwd: elsewhere, from: [from] })).toBe(
        join(REPO, DEFAULT),
      );
    }
    // With no start given: from the running script (the bin).
    const argv1 = process.argv[1];
    process.argv[1] = join(REPO, 'bin', 'ethhook-load-test.js');
    try {
      expect(resolveQuickstartBaseline(DEFAULT, { cwd: elsewhere })).toBe(join(REPO, DEFAULT));
    } finally {
      process.argv[1] = argv1!;
    }
  });

  it('through an npm bin link into an installed package', () => {
    const pkg = join(scratch, 'project', 'node_modules', 'ethhook-load-test-action');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    mkdirSync(join(pkg, 'baselines'));
    writeFileSync(join(pkg, 'package.json'), '{}');
    writeFileSync(join(pkg, DEFAULT), '{}');
    writeFileSync(join(pkg, 'bin', 'ethhook-load-test.js'), '');
    const binDir = join(scratch, 'project', 'node_modules', '.bin');
    mkdirSync(binDir);
    symlinkSync(join(pkg, 'bin', 'ethhook-load-test.js'), join(binDir, 'ethhook-load-test'));
    const argv1 = process.argv[1];
    process.argv[1] = join(binDir, 'ethhook-load-test');
    try {
      expect(resolveQuickstartBaseline(DEFAULT, { cwd: join(scratch, 'project') })).toBe(
        join(pkg, DEFAULT),
      );
    } finally {
      process.argv[1] = argv1!;
    }
  });

  it("prefers the working directory's file, and leaves a path the user chose alone", () => {
    const project = join(scratch, 'own');
    mkdirSync(join(project, 'baselines'), { recursive: true });
    writeFileSync(join(project, DEFAULT), '{}');
    expect(resolveQuickstartBaseline(DEFAULT, { cwd: project, from: [join(REPO, 'bin')] })).toBe(
      DEFAULT,
    );
    expect(
      resolveQuickstartBaseline('baselines/other.json', {
        cwd: join(scratch, 'elsewhere'),
        from: [join(REPO, 'bin')],
      }),
    ).toBe('baselines/other.json');
    // Nothing anywhere: the path as given, so the warning names what was looked for.
    expect(resolveQuickstartBaseline(DEFAULT, { cwd: scratch, from: [scratch] })).toBe(DEFAULT);
  });
});
