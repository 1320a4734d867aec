import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Up-front checks of the paths a run writes, so a run is never measured in full and then lost
 * because its result cannot be written. They try for real (permission bits say nothing for root,
 * and nothing about a read-only mount): the folder is created, as the run would create it anyway,
 * and a probe file is written and removed. The callers name the setting as their user wrote it.
 */

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

function isDirectory(target: string): boolean | null {
  try {
    return statSync(target).isDirectory();
  } catch {
    return null;
  }
}

/**
 * mkdir -p one level at a time: Node's `recursive: true` loops for ever where a parent refuses
 * new entries with ENOENT (seen under /proc).
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  let current = path.resolve(dir);
  while (isDirectory(current) === null && path.dirname(current) !== current) {
    missing.unshift(current);
    current = path.dirname(current);
  }
  for (const folder of missing) mkdirSync(folder);
}

/** Creates the folder and writes a probe file into it; the reason it cannot, or null. */
function folderProblem(dir: string): string | null {
  try {
    makeFolders(dir);
  } catch (error) {
    return `cannot create ${dir} (${errorCode(error)})`;
  }
  const probe = path.join(dir, `.ethhook-load-test-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
    return null;
  } catch (error) {
    return `cannot write into ${dir} (${errorCode(error)})`;
  }
}

/**
 * What keeps the run from writing this file at its end (a folder, no write access), or null.
 * `example` is the file name suggested when a folder was given.
 */
export function outputFileProblem(file: string, example = 'result.json'): string | null {
  const directory = isDirectory(file);
  if (directory) return `is a folder; expected a file path, such as ${path.join(file, example)}`;
  if (directory === false) {
    try {
      closeSync(openSync(file, 'r+'));
      return null;
    } catch (error) {
      return `exists and cannot be written (${errorCode(error)})`;
    }
  }
  return folderProblem(path.dirname(path.resolve(file)));
}

/** What keeps the run from writing into this folder (a file, no write access), or null. */
export function outputDirProblem(dir: string): string | null {
  if (isDirectory(dir) === false) return 'is a file; expected a folder';
  return folderProblem(dir);
}
