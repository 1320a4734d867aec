import { describe, expect, it } from 'vitest';
import { actionsExec } from './exec.js';

describe('actionsExec with a signal', () => {
  it('returns the exit code and both streams of a program that ends by itself', async () => {
    const result = await actionsExec.run(
      process.execPath,
      ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'],
      { silent: true, signal: new AbortController().signal },
    );
    expect(result).toEqual({ exitCode: 3, stdout: 'out', stderr: 'err' });
  });

  it('stops the program when aborted and says so', async () => {
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 100);
    const result = await actionsExec.run(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
      silent: true,
      signal: abort.signal,
    });
    expect(result).toMatchObject({ exitCode: 143, aborted: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('throws when the program does not exist', async () => {
    await expect(
      actionsExec.run('no-such-program-here', [], {
        silent: true,
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow(/ENOENT/);
  });
});
