import { describe, expect, it } from 'vitest';
import { baseComposeFile, baseWorkingDirectory } from './trees.js';

describe('the base tree', () => {
  it('puts the base in the same place of its tree as the head in the checkout', () => {
    expect(baseWorkingDirectory('/w/repo', '.', '/t/base')).toBe('/t/base');
    expect(baseWorkingDirectory('/w/repo', 'services/api', '/t/base')).toBe('/t/base/services/api');
    expect(baseWorkingDirectory('/w/repo', '/w/repo/services', '/t/base')).toBe('/t/base/services');
    expect(() => baseWorkingDirectory('/w/repo', '/elsewhere', '/t/base')).toThrow(
      'the working directory /elsewhere is outside the repository /w/repo',
    );
  });

  it("maps the head's compose files to the base's copies", () => {
    expect(baseComposeFile('docker-compose.yml', '/w/repo', '/t/base')).toBe('docker-compose.yml');
    expect(baseComposeFile('/w/repo/ci/compose.yml', '/w/repo', '/t/base')).toBe(
      '/t/base/ci/compose.yml',
    );
    expect(baseComposeFile('/shared/compose.yml', '/w/repo', '/t/base')).toBe(
      '/shared/compose.yml',
    );
  });
});
