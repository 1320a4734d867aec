import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputDirProblem, outputFileProblem } from './paths.js';

const dir = mkdtempSync(path.join(tmpdir(), 'settings-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('output paths checked up front', () => {
  it('accepts a new file in a folder it creates, and an existing file', () => {
    expect(outputFileProblem(path.join(dir, 'new', 'deeper', 'result.json'))).toBeNull();
    writeFileSync(path.join(dir, 'old.json'), '{}');
    expect(outputFileProblem(path.join(dir, 'old.json'))).toBeNull();
    expect(outputDirProblem(path.join(dir, 'out'))).toBeNull();
  });

  it('refuses a folder given as a file, suggesting a file in it', () => {
    expect(outputFileProblem(dir, 'report.md')).toBe(
      `is a folder; expected a file path, such as ${path.join(dir, 'report.md')}`,
    );
  });

  it('refuses a path under a file, and a file given as a folder', () => {
    writeFileSync(path.join(dir, 'plain'), 'x');
    expect(outputFileProblem(path.join(dir, 'plain', 'result.json'))).toBe(
      `cannot write into ${path.join(dir, 'plain')} (ENOTDIR)`,
    );
    expect(outputDirProblem(path.join(dir, 'plain'))).toBe('is a file; expected a folder');
  });

  it('refuses a place where nothing can be created, without looping (Node mkdir -p does under /proc)', () => {
    expect(outputFileProblem('/proc/no-such-folder/result.json')).toMatch(/^cannot create /);
  });
});
