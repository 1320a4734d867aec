/**
 * Cuts a release of the action from the commit checked out (HEAD): checks everything first and
 * changes nothing when a check fails; then tags the commit vX.Y.Z and moves the major tag (v1)
 * to it in one atomic push. The release workflow (.github/workflows/release.yml) calls it; a
 * maintainer can run it locally with --dry-run.
 *
 *   npx tsx scripts/release.ts 1.2.3 [--remote origin] [--default-branch main]
 *                              [--notes-out notes.md] [--dry-run]
 *
 * Checks, in this order (cheap before slow):
 *  - the version is semver (MAJOR.MINOR.PATCH, optionally -prerelease; a leading v is allowed);
 *  - no tracked file has uncommitted changes, package.json's version is the release's,
 *    CHANGELOG.md has a non-empty section for it (its text becomes the release notes);
 *  - HEAD is on the remote's default branch;
 *  - a tag vX.Y.Z that already exists points at HEAD (the tag-push case; re-running is a no-op);
 *  - the major tag would move forward: no higher vMAJOR.y.z is released, and the commit it points
 *    at now is an ancestor of HEAD (prereleases never move it);
 *  - dist/ is what src/ builds (`npm run check-dist` in the checkout).
 * Remote state is read with ls-remote and fetched into FETCH_HEAD only, so a refused release
 * leaves every ref, local and remote, as it was.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export class ReleaseError extends Error {}

export interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
  /** vX.Y.Z[-pre] */
  tag: string;
}

// semver.org's grammar (numbers without leading zeros); build metadata is not allowed in a tag.
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/;

export function parseVersion(text: string): Version {
  const match = SEMVER.exec(text.trim());
  if (!match) {
    throw new ReleaseError(
      `"${text}" is not a semantic version: expected MAJOR.MINOR.PATCH such as 1.2.3 (a leading v and a -prerelease such as 1.2.3-rc.1 are allowed)`,
    );
  }
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [
    number,
    number,
    number,
  ];
  const prerelease = match[4] ?? null;
  return {
    major,
    minor,
    patch,
    prerelease,
    tag: `v${major}.${minor}.${patch}${prerelease ? `-${prerelease}` : ''}`,
  };
}

/** Release versions only (prereleases never move the major tag): negative when a < b. */
function compareReleases(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * The body of CHANGELOG.md's section for a version (Keep a Changelog: `## [1.2.3] - 2026-11-29`),
 * up to the next `## ` heading or the link references at the end; null when there is none.
 */
export function changelogSection(changelog: string, version: string): string | null {
  const lines = changelog.split(/\r?\n/);
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const heading = new RegExp(`^## \\[?v?${escaped}\\]?(\\s|$)`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return null;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^## /.test(line) || /^\[[^\]]+\]:\s/.test(line));
  return (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function run(cwd: string, command: string, args: readonly string[], shell = false): Run {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', shell });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function git(cwd: string, ...args: string[]): string {
  const result = run(cwd, 'git', args);
  if (result.status !== 0) {
    throw new ReleaseError(`git ${args.join(' ')} failed: ${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}

/** refs/... -> commit, with annotated tags peeled to their commit. */
function remoteRefs(cwd: string, remote: string, patterns: string[]): Map<string, string> {
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of git(cwd, 'ls-remote', remote, ...patterns).split('\n')) {
    const [sha, ref] = line.split('\t');
    if (!sha || !ref) continue;
    if (ref.endsWith('^{}')) peeled.set(ref.slice(0, -3), sha);
    else refs.set(ref, sha);
  }
  for (const [ref, sha] of peeled) refs.set(ref, sha);
  return refs;
}

function isAncestor(cwd: string, ancestor: string, descendant: string): boolean {
  return run(cwd, 'git', ['merge-base', '--is-ancestor', ancestor, descendant]).status === 0;
}

const short = (sha: string) => sha.slice(0, 12);

export interface ReleaseOptions {
  version: string;
  /** The repository checkout; HEAD is the release commit. */
  cwd: string;
  remote?: string;
  /** Default: the remote's HEAD branch. */
  defaultBranch?: string;
  /** Shell command that fails when dist/ is stale. */
  checkDist?: string;
  dryRun?: boolean;
  log?: (line: string) => void;
}

export interface ReleasePlan {
  version: Version;
  commit: string;
  notes: string;
  /** The version tag must be created (false: it exists at the commit already). */
  createTag: boolean;
  /** vMAJOR, or null for a prerelease. */
  majorTag: string | null;
  /** Where the major tag points now ('' when it does not exist yet). */
  majorFrom: string | null;
}

/** Every check; throws ReleaseError naming the problem, changes no ref. */
export function planRelease(options: ReleaseOptions): ReleasePlan {
  const { cwd } = options;
  const remote = options.remote ?? 'origin';
  const log = options.log ?? (() => {});
  const version = parseVersion(options.version);
  const semver = version.tag.slice(1);

  // Untracked files are left to the checks: the tests may leave some behind between the dry run
  // and the release, and one in src/ would fail the dist/ check anyway.
  if (git(cwd, 'status', '--porcelain', '--untracked-files=no') !== '') {
    throw new ReleaseError(
      `the working tree has uncommitted changes (git status); release a committed state only`,
    );
  }
  const commit = git(cwd, 'rev-parse', 'HEAD^{commit}');
  const packageJson = JSON.parse(git(cwd, 'show', `${commit}:package.json`)) as {
    version?: string;
  };
  if (packageJson.version !== semver) {
    throw new ReleaseError(
      `package.json's version is ${packageJson.version} at ${short(commit)}, not ${semver}: set it (npm version ${semver} --no-git-tag-version), commit, and release that commit`,
    );
  }
  const changelog = run(cwd, 'git', ['show', `${commit}:CHANGELOG.md`]);
  const notes = changelog.status === 0 ? changelogSection(changelog.stdout, semver) : null;
  if (notes === '') {
    throw new ReleaseError(
      `CHANGELOG.md's section for ${semver} at ${short(commit)} is empty: say what changed`,
    );
  }
  if (notes === null) {
    throw new ReleaseError(
      `CHANGELOG.md at ${short(commit)} has no section "## [${semver}] - YYYY-MM-DD": move the [Unreleased] entries under it and commit`,
    );
  }

  const defaultBranch =
    options.defaultBranch ??
    /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(
      git(cwd, 'ls-remote', '--symref', remote, 'HEAD'),
    )?.[1];
  if (!defaultBranch) throw new ReleaseError(`cannot tell the default branch of ${remote}`);
  const majorTag = version.prerelease ? null : `v${version.major}`;
  const refs = remoteRefs(cwd, remote, [`refs/heads/${defaultBranch}`, 'refs/tags/v*']);
  const branchHead = refs.get(`refs/heads/${defaultBranch}`);
  if (!branchHead) throw new ReleaseError(`${remote} has no branch ${defaultBranch}`);
  // Objects only: FETCH_HEAD is written, no ref moves.
  const majorNow = majorTag ? (refs.get(`refs/tags/${majorTag}`) ?? null) : null;
  git(
    cwd,
    'fetch',
    '--quiet',
    '--no-tags',
    remote,
    `refs/heads/${defaultBranch}`,
    ...(majorNow ? [`refs/tags/${majorTag}`] : []),
  );
  if (!isAncestor(cwd, commit, branchHead)) {
    throw new ReleaseError(
      `commit ${short(commit)} is not on the default branch ${defaultBranch} of ${remote}: release only what is merged there`,
    );
  }

  const existing = refs.get(`refs/tags/${version.tag}`);
  if (existing && existing !== commit) {
    throw new ReleaseError(
      `tag ${version.tag} already exists at ${short(existing)}, not at the release commit ${short(commit)}: a released version never moves; release a new version`,
    );
  }

  if (majorTag) {
    const newer = [...refs.keys()]
      .map((ref) => /^refs\/tags\/(v\d+\.\d+\.\d+)$/.exec(ref)?.[1])
      .filter((tag): tag is string => tag !== undefined)
      .map(parseVersion)
      .filter((other) => other.major === version.major && compareReleases(other, version) > 0)
      .sort(compareReleases)
      .at(-1);
    if (newer) {
      throw new ReleaseError(
        `${majorTag} would move backwards: ${newer.tag} is already released and ${version.tag} is older. Release a version above ${newer.tag}`,
      );
    }
    if (majorNow && majorNow !== commit && !isAncestor(cwd, majorNow, commit)) {
      throw new ReleaseError(
        `${majorTag} would move backwards: it points at ${short(majorNow)}, which is not an ancestor of the release commit ${short(commit)}`,
      );
    }
  }

  const checkDist = options.checkDist ?? 'npm run check-dist';
  log(`checking dist/: ${checkDist}`);
  const dist = run(cwd, checkDist, [], true);
  if (dist.status !== 0) {
    const output = `${dist.stdout}${dist.stderr}`.trim().split('\n').slice(-8).join('\n');
    throw new ReleaseError(
      `dist/ is stale: \`${checkDist}\` failed (exit ${dist.status}) at ${short(commit)}. Run npm run bundle, commit dist/, and release that commit.\n${output}`,
    );
  }

  return {
    version,
    commit,
    notes,
    createTag: !existing,
    majorTag,
    majorFrom: majorTag ? (majorNow ?? '') : null,
  };
}

/** Tags and moves the major tag in one atomic push; the lease refuses a major tag moved meanwhile. */
export function publishRelease(plan: ReleasePlan, options: ReleaseOptions): void {
  const { cwd } = options;
  const remote = options.remote ?? 'origin';
  const log = options.log ?? (() => {});
  const { tag } = plan.version;
  const refspecs: string[] = [];
  const leases: string[] = [];
  let createdLocalTag = false;
  if (plan.createTag) {
    if (run(cwd, 'git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}`]).status !== 0) {
      git(cwd, 'tag', '--annotate', '--message', `Release ${tag}`, tag, plan.commit);
      createdLocalTag = true;
    }
    refspecs.push(`refs/tags/${tag}:refs/tags/${tag}`);
  }
  if (plan.majorTag && plan.majorFrom !== plan.commit) {
    refspecs.push(`+${plan.commit}:refs/tags/${plan.majorTag}`);
    leases.push(`--force-with-lease=refs/tags/${plan.majorTag}:${plan.majorFrom ?? ''}`);
  }
  if (refspecs.length === 0) {
    log(`${tag} and ${plan.majorTag ?? 'its tags'} already point at ${short(plan.commit)}`);
    return;
  }
  const pushed = run(cwd, 'git', ['push', '--atomic', ...leases, remote, ...refspecs]);
  if (pushed.status !== 0) {
    if (createdLocalTag) run(cwd, 'git', ['tag', '--delete', tag]);
    throw new ReleaseError(`pushing the tags to ${remote} failed: ${pushed.stderr.trim()}`);
  }
  if (plan.createTag) log(`tagged ${short(plan.commit)} ${tag}`);
  if (plan.majorTag && plan.majorFrom !== plan.commit) {
    log(
      `moved ${plan.majorTag} ${plan.majorFrom ? `from ${short(plan.majorFrom)} ` : ''}to ${short(plan.commit)}`,
    );
  }
}

export function release(options: ReleaseOptions): ReleasePlan {
  const plan = planRelease(options);
  if (options.dryRun) {
    options.log?.(
      `dry run: would ${plan.createTag ? `tag ${short(plan.commit)} ${plan.version.tag}` : `keep ${plan.version.tag}`}${plan.majorTag ? ` and move ${plan.majorTag} to it` : ' (a prerelease: the major tag stays)'}`,
    );
    return plan;
  }
  publishRelease(plan, options);
  return plan;
}

function parseArgs(argv: string[]): ReleaseOptions & { notesOut?: string } {
  const options: ReleaseOptions & { notesOut?: string } = { version: '', cwd: process.cwd() };
  const positional: string[] = [];
  const flags: Record<string, (value: string) => void> = {
    '--remote': (value) => (options.remote = value),
    '--default-branch': (value) => (options.defaultBranch = value),
    '--notes-out': (value) => (options.notesOut = value),
    '--check-dist': (value) => (options.checkDist = value),
  };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '--dry-run') options.dryRun = true;
    else if (flags[arg]) {
      const value = argv[++index];
      if (value === undefined) throw new ReleaseError(`${arg} needs a value`);
      flags[arg](value);
    } else if (arg.startsWith('--')) {
      throw new ReleaseError(
        `unknown option ${arg}; valid: --remote, --default-branch, --notes-out, --check-dist, --dry-run`,
      );
    } else positional.push(arg);
  }
  if (positional.length !== 1) {
    throw new ReleaseError(
      'usage: release.ts <version> [--remote origin] [--default-branch main] [--notes-out file] [--dry-run]',
    );
  }
  options.version = positional[0] as string;
  return options;
}

/** Writes step outputs for the workflow (tag, prerelease) when run under GitHub Actions. */
function writeOutputs(plan: ReleasePlan): void {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) return;
  writeFileSync(
    file,
    `tag=${plan.version.tag}\nprerelease=${plan.version.prerelease ? 'true' : 'false'}\n`,
    { flag: 'a' },
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const plan = release({ ...options, log: (line) => process.stdout.write(`${line}\n`) });
    if (options.notesOut) writeFileSync(options.notesOut, `${plan.notes}\n`);
    writeOutputs(plan);
  } catch (error) {
    if (!(error instanceof ReleaseError)) throw error;
    process.stderr.write(`Refusing to release: ${error.message}\n`);
    process.exitCode = 1;
  }
}
