/** Connects a test file to the run's dev server; every test gets its own task queue. */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';

export async function connectTestEnv(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TAKEDOWN_TEST_TEMPORAL_ADDRESS is not set: run integration tests through jest (global setup)');
  return TestWorkflowEnvironment.createFromExistingServer({ address });
}

/** A task queue (or workflow id) no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
