import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnWorker } from '../../../harness/worker';

const script = 'test/unit/harness/fixtures/fake-worker.ts';

test('ready resolves on the start line even when it arrives in two chunks; stop drains the worker', async () => {
  let stdout = '';
  const worker = spawnWorker({ env: { FAKE_WORKER_MODE: 'ready' }, lifetimeSeconds: 60, script, onStdout: (c) => (stdout += c.toString()) }, 30_000);
  await worker.ready;
  expect(worker.exited).toBe(false);
  await worker.stop();
  expect(worker.exited).toBe(true);
  expect(stdout).toContain('takedown worker stopped');
});

test('logs are pinned to JSON unless the caller names a format', async () => {
  const formatOf = async (env: Record<string, string>) => {
    let stdout = '';
    const worker = spawnWorker({ env: { FAKE_WORKER_MODE: 'ready', ...env }, lifetimeSeconds: 60, script, onStdout: (c) => (stdout += c.toString()) }, 30_000);
    await worker.ready;
    await worker.stop();
    return /"format":"([^"]*)"/.exec(stdout)?.[1];
  };
  expect(await formatOf({})).toBe('json');
  expect(await formatOf({ TAKEDOWN_LOG_FORMAT: 'pretty' })).toBe('pretty');
});

test('a worker that exits before it polls rejects ready with its exit code and stderr', async () => {
  const worker = spawnWorker({ env: { FAKE_WORKER_MODE: 'exit' }, lifetimeSeconds: 60, script }, 30_000);
  await expect(worker.ready).rejects.toThrow(/^worker exited \(code 3, signal null\) before it polled: no provider configured$/);
});

test('stop falls back to SIGKILL when the worker ignores SIGTERM', async () => {
  const worker = spawnWorker({ env: { FAKE_WORKER_MODE: 'stubborn' }, lifetimeSeconds: 60, script }, 30_000);
  await worker.ready;
  const began = Date.now();
  await worker.stop(300);
  expect(Date.now() - began).toBeGreaterThanOrEqual(290);
  expect(worker.exited).toBe(true);
  expect(worker.child.signalCode).toBe('SIGKILL');
});

test('the lifetime bound ends a worker nobody stops', async () => {
  const worker = spawnWorker({ env: { FAKE_WORKER_MODE: 'stubborn' }, lifetimeSeconds: 2, script }, 30_000);
  await worker.ready;
  await new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
  expect(worker.exited).toBe(true);
}, 30_000);

test('root runs src/worker.ts of another checkout, from that directory', async () => {
  // A checkout of its own: the fake worker as its src/worker.ts, and this project's packages (tsx).
  const other = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'takedown-other-checkout-')));
  try {
    mkdirSync(path.join(other, 'src'));
    copyFileSync(path.resolve(__dirname, 'fixtures/fake-worker.ts'), path.join(other, 'src/worker.ts'));
    symlinkSync(path.resolve(__dirname, '../../../node_modules'), path.join(other, 'node_modules'));
    let stdout = '';
    const worker = spawnWorker({ env: { FAKE_WORKER_MODE: 'ready' }, lifetimeSeconds: 60, root: other, onStdout: (c) => (stdout += c.toString()) }, 30_000);
    await worker.ready;
    await worker.stop();
    expect(/"cwd":("[^"]*")/.exec(stdout)?.[1]).toBe(JSON.stringify(other));
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
