import path from 'node:path';

/**
 * Where the base side runs: the same place in the base commit's tree as the head's working
 * directory is in its checkout, so relative compose files and commands mean the same file of the
 * other commit.
 */
export function baseWorkingDirectory(
  repoRoot: string,
  headWorkingDirectory: string,
  baseTree: string,
): string {
  const relative = path.relative(repoRoot, path.resolve(repoRoot, headWorkingDirectory));
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Error(
      `the working directory ${headWorkingDirectory} is outside the repository ${repoRoot}: the base commit has no copy of it`,
    );
  }
  return path.join(baseTree, relative);
}

/**
 * A compose file of the head, as the base's copy of it: relative paths stay relative (they resolve
 * from the base's working directory); absolute paths inside the checkout move to the base tree;
 * absolute paths elsewhere (a shared file outside the repository) stay as they are.
 */
export function baseComposeFile(file: string, repoRoot: string, baseTree: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(repoRoot, file);
  return relative.startsWith('..') || path.isAbsolute(relative)
    ? file
    : path.join(baseTree, relative);
}
