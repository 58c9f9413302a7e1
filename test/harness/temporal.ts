/** Connects a test file to the run's dev server; every test gets its own task queue. */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { retryUntil } from '../../harness/retry';

export async function connectTestEnv(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TAKEDOWN_TEST_TEMPORAL_ADDRESS is not set: run integration tests through jest (global setup)');
  return TestWorkflowEnvironment.createFromExistingServer({ address });
}

/** A task queue (or workflow id) no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Retries an assertion until it passes or `timeoutMs` runs out (then throws its last failure). */
export function eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 5_000): Promise<T> {
  return retryUntil(assertion, { timeoutMs, intervalMs: 50 });
}

/** Worker logs at ERROR only: expected retries would otherwise bury the test output. */
export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed already by an earlier test file in this Jest worker process.
  }
}
