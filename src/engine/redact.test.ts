import { describe, expect, it } from 'vitest';
import { maskUrl } from './redact.js';

describe('maskUrl', () => {
  it('masks passwords and keeps the rest', () => {
    expect(maskUrl('redis://:s3cret@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
    expect(maskUrl('postgres://user:pw@db:5432/test')).toBe('postgres://user:***@db:5432/test');
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(maskUrl('postgres://u:p@w@host/db')).not.toContain('p@w');
  });
});
