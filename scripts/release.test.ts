import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changelogSection, parseVersion, release, ReleaseError } from './release.js';

describe('parseVersion', () => {
  it('takes semver with or without a leading v', () => {
    expect(parseVersion('1.2.3')).toMatchObject({ major: 1, minor: 2, patch: 3, tag: 'v1.2.3' });
    expect(parseVersion('v10.0.1-rc.1')).toMatchObject({ prerelease: 'rc.1', tag: 'v10.0.1-rc.1' });
  });

  it('refuses anything else, naming the value and the expected form', () => {
    for (const bad of ['1.2', 'v1', '01.2.3', '1.2.3.4', 'latest', '1.2.3+build', '']) {
      expect(() => parseVersion(bad), bad).toThrow(
        new ReleaseError(
          `"${bad}" is not a semantic version: expected MAJOR.MINOR.PATCH such as 1.2.3 (a leading v and a -prerelease such as 1.2.3-rc.1 are allowed)`,
        ),
      );
    }
  });
});

describe('changelogSection', () => {
  const changelog = [
    '# Changelog',
    '',
    '## [Unreleased]',
    '',
    '- next',
    '',
    '## [1.1.0] - 2026-12-01',
    '',
    '### Added',
    '',
    '- thing',
    '',
    '## [1.0.0] - 2026-11-29',
    '',
    '- first',
    '',
    '[Unreleased]: https://example.test/compare/v1.1.0...HEAD',
    '[1.1.0]: https://example.test/compare/v1.0.0...v1.1.0',
  ].join('\n');

  it("gives the section's body, up to the next section or the link references", () => {
    expect(changelogSection(changelog, '1.1.0')).toBe('### Added\n\n- thing');
    expect(changelogSection(changelog, '1.0.0')).toBe('- first');
  });

  it('is null for a version without a section (1.1 is not 1.1.0)', () => {
    expect(changelogSection(changelog, '1.2.0')).toBeNull();
    expect(changelogSection(changelog, '1.1')).toBeNull();
  });
});

/**
 * A bare repository as the remote and a clone to release from. Its check-dist compares
 * dist/index.js with src/index.js, as the project's compares dist/ with what src/ builds.
 */
describe('release against a local bare repository', () => {
  let dir: string;
  let remote: string;
  let clone: string;
  const logs: string[] = [];

  const sh = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  const refsOf = (repo: string) => sh(repo, 'for-each-ref', '--format=%(refname) %(objectname)');

  function commit(files: Record<string, string>, message: string): string {
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(clone, file), text);
    sh(clone, 'add', '-A');
    sh(clone, 'commit', '--quiet', '-m', message);
    return sh(clone, 'rev-parse', 'HEAD');
  }

  function project(version: string, source: string, dist = source): Record<string, string> {
    return {
      'package.json': JSON.stringify({
        name: 'fixture',
        version,
        scripts: { 'check-dist': 'node check-dist.mjs' },
      }),
      'check-dist.mjs': [
        "import { readFileSync } from 'node:fs';",
        "if (readFileSync('dist/index.js', 'utf8') !== readFileSync('src/index.js', 'utf8')) {",
        "  console.error('dist/ is not what src/ builds');",
        '  process.exit(1);',
        '}',
      ].join('\n'),
      'CHANGELOG.md': `# Changelog\n\n## [Unreleased]\n\n## [${version}] - 2026-11-29\n\n- release ${version}\n`,
      'src/index.js': source,
      'dist/index.js': dist,
    };
  }

  const run = (version: string, extra: { dryRun?: boolean } = {}) =>
    release({ version, cwd: clone, log: (line) => logs.push(line), ...extra });

  /** The release must fail with this message and leave both repositories' refs as they were. */
  function refused(version: string, message: RegExp): void {
    const before = [refsOf(remote), refsOf(clone)];
    expect(() => run(version)).toThrow(message);
    expect([refsOf(remote), refsOf(clone)]).toEqual(before);
  }

  const tagCommit = (repo: string, tag: string) =>
    sh(repo, 'rev-parse', `refs/tags/${tag}^{commit}`);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'release-test-'));
    remote = path.join(dir, 'remote.git');
    clone = path.join(dir, 'clone');
    sh(dir, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
    sh(dir, 'clone', '--quiet', remote, clone);
    sh(clone, 'config', 'user.name', 'Release Test');
    sh(clone, 'config', 'user.email', 'release@example.test');
    sh(clone, 'checkout', '--quiet', '-b', 'main');
    execFileSync('mkdir', ['-p', path.join(clone, 'src'), path.join(clone, 'dist')]);
    commit(project('1.0.0', 'one'), 'v1.0.0');
    sh(clone, 'push', '--quiet', 'origin', 'main');
    logs.length = 0;
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a valid release creates the tag and moves v1; the next one moves v1 forward', () => {
    const first = sh(clone, 'rev-parse', 'HEAD');
    const plan = run('1.0.0');
    expect(plan.notes).toBe('- release 1.0.0');
    expect(tagCommit(remote, 'v1.0.0')).toBe(first);
    expect(tagCommit(remote, 'v1')).toBe(first);
    expect(sh(remote, 'cat-file', '-t', 'refs/tags/v1.0.0')).toBe('tag');
    expect(logs).toContain(`moved v1 to ${first.slice(0, 12)}`);

    const second = commit(project('1.1.0', 'two'), 'v1.1.0');
    sh(clone, 'push', '--quiet', 'origin', 'main');
    run('v1.1.0');
    expect(tagCommit(remote, 'v1.1.0')).toBe(second);
    expect(tagCommit(remote, 'v1')).toBe(second);
    expect(tagCommit(remote, 'v1.0.0')).toBe(first);
  });

  it('takes a tag pushed by hand (the tag-push trigger) and is a no-op when run again', () => {
    sh(clone, 'tag', 'v1.0.0');
    sh(clone, 'push', '--quiet', 'origin', 'v1.0.0');
    run('1.0.0');
    expect(tagCommit(remote, 'v1')).toBe(sh(clone, 'rev-parse', 'HEAD'));
    const after = refsOf(remote);
    run('1.0.0');
    expect(refsOf(remote)).toBe(after);
  });

  it('a prerelease gets its tag and leaves v1 alone', () => {
    run('1.0.0');
    const stable = tagCommit(remote, 'v1');
    commit(project('1.1.0-rc.1', 'rc'), 'rc');
    sh(clone, 'push', '--quiet', 'origin', 'main');
    run('1.1.0-rc.1');
    expect(tagCommit(remote, 'v1.1.0-rc.1')).toBe(sh(clone, 'rev-parse', 'HEAD'));
    expect(tagCommit(remote, 'v1')).toBe(stable);
  });

  it('a dry run checks everything and changes nothing', () => {
    const before = [refsOf(remote), refsOf(clone)];
    expect(run('1.0.0', { dryRun: true }).createTag).toBe(true);
    expect([refsOf(remote), refsOf(clone)]).toEqual(before);
    expect(logs.at(-1)).toMatch(/^dry run: would tag [0-9a-f]{12} v1\.0\.0 and move v1 to it$/);
  });

  it('refuses a version that is not semver', () => {
    refused('1.0', /"1\.0" is not a semantic version: expected MAJOR\.MINOR\.PATCH/);
  });

  it('refuses a stale dist/, with the check’s own words', () => {
    commit(project('1.0.1', 'changed', 'one'), 'src changed, dist not rebuilt');
    sh(clone, 'push', '--quiet', 'origin', 'main');
    refused(
      '1.0.1',
      /^dist\/ is stale: `npm run check-dist` failed \(exit 1\) at [0-9a-f]{12}\. Run npm run bundle, commit dist\/, and release that commit\.\n[^]*dist\/ is not what src\/ builds/,
    );
  });

  it('refuses a major tag that would move backwards: an older version after a newer one', () => {
    const old = sh(clone, 'rev-parse', 'HEAD');
    run('1.0.0');
    commit(project('1.2.0', 'two'), 'v1.2.0');
    sh(clone, 'push', '--quiet', 'origin', 'main');
    run('1.2.0');
    // A fix for the 1.1 line, cut from an older commit that is on main.
    sh(clone, 'checkout', '--quiet', old);
    commit(project('1.1.1', 'one'), 'v1.1.1');
    sh(clone, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main', '--force');
    refused(
      '1.1.1',
      /^v1 would move backwards: v1\.2\.0 is already released and v1\.1\.1 is older\. Release a version above v1\.2\.0$/,
    );
  });

  it('refuses a major tag that would move backwards in history', () => {
    const first = sh(clone, 'rev-parse', 'HEAD');
    commit(project('1.0.0', 'later'), 'later commit');
    sh(clone, 'push', '--quiet', 'origin', 'main');
    run('1.0.0');
    sh(clone, 'checkout', '--quiet', first);
    commit(project('1.0.1', 'one'), 'v1.0.1 on an older base');
    sh(clone, 'push', '--quiet', 'origin', 'HEAD:refs/heads/side');
    sh(clone, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main', '--force');
    refused(
      '1.0.1',
      /^v1 would move backwards: it points at [0-9a-f]{12}, which is not an ancestor/,
    );
  });

  it('refuses a commit that is not on the default branch', () => {
    sh(clone, 'checkout', '--quiet', '-b', 'feature');
    commit(project('1.0.0', 'feature'), 'feature work');
    sh(clone, 'push', '--quiet', 'origin', 'feature');
    refused('1.0.0', /^commit [0-9a-f]{12} is not on the default branch main of origin/);
  });

  it('refuses a version tag that exists elsewhere, a package.json or CHANGELOG without the version', () => {
    run('1.0.0');
    commit(project('1.0.0', 'two'), 'same version again');
    sh(clone, 'push', '--quiet', 'origin', 'main');
    refused('1.0.0', /^tag v1\.0\.0 already exists at [0-9a-f]{12}, not at the release commit/);
    refused('1.0.5', /^package\.json's version is 1\.0\.0 at [0-9a-f]{12}, not 1\.0\.5/);
    commit(
      {
        'CHANGELOG.md': '# Changelog\n\n## [Unreleased]\n',
        'package.json': JSON.stringify({ version: '1.3.0' }),
      },
      'no entry',
    );
    sh(clone, 'push', '--quiet', 'origin', 'main');
    refused('1.3.0', /^CHANGELOG\.md at [0-9a-f]{12} has no section "## \[1\.3\.0\] - YYYY-MM-DD"/);
  });

  it('refuses uncommitted changes, not files the tests left behind', () => {
    writeFileSync(path.join(clone, 'left-behind.txt'), 'by a test');
    run('1.0.0', { dryRun: true });
    writeFileSync(path.join(clone, 'src', 'index.js'), 'edited');
    refused('1.0.0', /^the working tree has uncommitted changes/);
  });
});
