/** Connects a test file to the run's Temporal server; every test gets its own task queue. */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { retryUntil } from '../../harness/retry';
import { devServerConnection, loadTemporalConnection, type TemporalConnectionSettings } from '../../src/connection';

/** The run's server: the dev server in plaintext, or an external one with the environment's `TEMPORAL_*` TLS settings. */
export function testConnection(): TemporalConnectionSettings {
  const address = process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TAKEDOWN_TEST_TEMPORAL_ADDRESS is not set: run integration tests through jest (global setup)');
  return process.env.TAKEDOWN_TEST_TEMPORAL_EXTERNAL === '1' ? loadTemporalConnection({ ...process.env, TEMPORAL_ADDRESS: address }) : devServerConnection(address);
}

export async function connectTestEnv(): Promise<TestWorkflowEnvironment> {
  const { address, namespace, connectionOptions } = testConnection();
  return TestWorkflowEnvironment.createFromExistingServer({ address, namespace, connectionOptions });
}

/** A second worker connection to the run's server (for a second set of workers). */
export async function connectTestNative(): Promise<NativeConnection> {
  return NativeConnection.connect(testConnection().connectionOptions);
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
