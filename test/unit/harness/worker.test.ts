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
