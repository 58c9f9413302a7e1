/**
 * A takedown stack for one integration test file: the run's dev server, an in-process provider
 * sandbox, and the real worker setup (all its queues) on a task queue of its own.
 */
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTakedown } from '../../src/client';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox';
import { DEMO_AGORA_ACCOUNT, DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';
import { sandboxWorkerEnv } from '../../src/devstack/sandbox-env';
import { loadConfig, type WorkerConfig } from '../../src/takedown-worker/config';
import { createTakedownWorkers, type TakedownWorkers, type TakedownWorkersOptions } from '../../src/takedown-worker/workers';
import { takedownClientInterceptors } from '../../src/client';
import { WORKFLOW_INTERCEPTOR_MODULES, type Tracing } from '../../src/telemetry';
import type { TakedownRequest } from '../../src/workflows/request';
import { connectTestEnv, quietRuntime, uniqueName } from './temporal';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    logger: quietLogger,
  });
  return bundle;
}
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

export interface StackOptions {
  /** Worker environment on top of the defaults (sandbox URLs, demo accounts, fast retries). */
  env?: Record<string, string>;
  sandbox?: SandboxOptions;
  /** Tracing for the workers and the stack's client (`src/telemetry`); default none. */
  tracing?: Tracing;
  /** Extra options for every worker (e.g. fewer activity slots). */
  workerOptions?: TakedownWorkersOptions['workerOptions'];
}

export interface Stack {
  env: TestWorkflowEnvironment;
  sandbox: Sandbox;
  config: WorkerConfig;
  workers: TakedownWorkers;
  /** A client with the worker's data converter. */
  client: Client;
  start(request: TakedownRequest): ReturnType<typeof startTakedown>;
  teardown(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  quietRuntime();
  const env = await connectTestEnv();
  const sandbox = await startSandbox({
    zegoApps: [DEMO_ZEGO_APP],
    agoraAccounts: [DEMO_AGORA_ACCOUNT],
    encoderReconnectDelayMs: 20,
    ...options.sandbox,
  });
  const config = loadConfig({
    ...sandboxWorkerEnv(sandbox.url, process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS!),
    TAKEDOWN_TASK_QUEUE: uniqueName('takedown'),
    TAKEDOWN_METRICS_ADDRESS: 'off',
    TAKEDOWN_RETRY_INITIAL_INTERVAL: '50ms',
    TAKEDOWN_RETRY_MAXIMUM_INTERVAL: '500ms',
    ...options.env,
  });
  const workers = await createTakedownWorkers({
    connection: env.nativeConnection,
    clientConnection: env.connection,
    config,
    workflowBundle: await workflowBundle(),
    tracing: options.tracing,
    workerOptions: options.workerOptions,
  });
  const running = workers.run();
  // With payload encryption on, the client must encode inputs with the same codec as the worker.
  const client =
    config.payloadCodec || options.tracing
      ? new Client({
          connection: env.connection,
          ...(config.payloadCodec ? { dataConverter: { payloadCodecs: [config.payloadCodec] } } : {}),
          ...(options.tracing ? { interceptors: takedownClientInterceptors() } : {}),
        })
      : env.client;
  return {
    env,
    sandbox,
    config,
    workers,
    client,
    start: (request) => startTakedown(client, request, { taskQueue: config.taskQueue }),
    async teardown() {
      workers.shutdown();
      await running;
      await sandbox.close();
      await env.teardown();
    },
  };
}

/** The ApplicationFailure a workflow failed with (asserting that it failed with one). */
export async function failureOf(result: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
  return (err as WorkflowFailedError).cause as ApplicationFailure;
}
