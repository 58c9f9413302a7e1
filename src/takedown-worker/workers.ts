/**
 * Builds the takedown workers from a configuration: the workflow queue (takedowns, bans, reviews),
 * the provider pacers' queue, and the rate-limited activity queues.
 */
import { Client, type Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { AgoraClient } from '../providers/agora';
import { ZegoClient } from '../providers/zego';
import { WORKFLOW_INTERCEPTOR_MODULES, installTracingFromEnv, tracingWorkerOptions, type Tracing } from '../telemetry';
import type { WorkerConfig } from './config';
import { temporalBans } from './bans';
import { ProviderCallPacer, maxSlotLatenessMs, temporalPacerWorkflows } from './pacer';
import { MAIN_ACTIVITY_POLLERS, PACER_WORKFLOW_POLLERS, activityQueues, paceKeyResolver, pacerTaskQueueName, polledQueues, routeFor, type ActivityQueue } from './routes';
import { configureSharedQueues } from './shared-queues';

export interface TakedownWorkersOptions {
  connection: NativeConnection;
  /** A client connection for reserving provider call slots on the pacer workflows. */
  clientConnection: Connection;
  config: WorkerConfig;
  /** Pre-bundled workflow code (tests bundle once per file). Default: the configured bundle file, else bundle `src/workflows` at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra options for every worker (identity, tuning). */
  workerOptions?: Partial<WorkerOptions>;
  /**
   * Tracing to use (tests pass one over an in-memory exporter). Default: installed from the
   * `OTEL_*` variables when an OTLP endpoint is set, and then shut down (flushed) when the workers stop.
   */
  tracing?: Tracing;
}

export interface TakedownWorkers {
  workers: Worker[];
  queues: ActivityQueue[];
  /** Runs every worker until all stop; if one fails, the others are shut down too. */
  run(): Promise<void>;
  shutdown(): void;
}

function providerClients(config: WorkerConfig) {
  const zego = config.zego.apps.length
    ? new ZegoClient({
        baseUrl: config.zego.apiUrl,
        operatorUserId: config.zego.operatorUserId,
        apps: config.zego.apps.map(({ appId, serverSecret, isTest }) => ({ appId, serverSecret, isTest })),
      })
    : undefined;
  const agora = config.agora.accounts.map((account) => ({
    appIds: account.appIds,
    client: new AgoraClient({ baseUrl: config.agora.apiUrl, customerId: account.customerId, customerSecret: account.customerSecret }),
  }));
  const agoraFor = (appId: string) =>
    (agora.find((a) => a.appIds.includes(appId)) ?? agora.find((a) => a.appIds.length === 0))?.client;
  const close = async () => {
    await Promise.all([zego?.close(), ...agora.map((a) => a.client.close())]);
  };
  return { zego, agoraFor, close };
}

function workflowCode(bundle: WorkerOptions['workflowBundle'], bundlePath: string | undefined): Partial<WorkerOptions> {
  if (bundle) return { workflowBundle: bundle };
  return bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../workflows') };
}

/** Workflow interceptor modules where the worker bundles and traces; a given bundle carries its own. */
function workflowInterceptorModules(code: Partial<WorkerOptions>, traced: boolean): string[] | undefined {
  return code.workflowsPath && traced ? [...WORKFLOW_INTERCEPTOR_MODULES] : undefined;
}

export async function createTakedownWorkers(options: TakedownWorkersOptions): Promise<TakedownWorkers> {
  const { connection, config } = options;
  const ownTracing = options.tracing ? undefined : installTracingFromEnv();
  const tracing = tracingWorkerOptions(options.tracing ?? ownTracing);
  const clients = providerClients(config);
  const queues = activityQueues(config);
  const dataConverter = config.payloadCodec ? { dataConverter: { payloadCodecs: [config.payloadCodec] } } : {};
  const temporalClient = new Client({ connection: options.clientConnection, namespace: config.temporal.namespace, ...dataConverter });
  const activities = createActivities({
    zego: clients.zego,
    agoraFor: clients.agoraFor,
    routeFor: (provider, appId) => routeFor(config, provider, appId),
    // Ban workflows run on the workflow queue, beside the takedowns.
    bans: temporalBans(temporalClient, config.taskQueue),
    paceKeyFor: paceKeyResolver(queues),
    pacer: new ProviderCallPacer({
      workflows: temporalPacerWorkflows(temporalClient, pacerTaskQueueName(config.taskQueue)),
      intervalsMs: new Map(queues.map((q) => [q.paceKey, 1000 / q.ratePerSecond])),
      maxLatenessMs: maxSlotLatenessMs(config.rateHeadroom),
    }),
  });
  const common = {
    connection,
    namespace: config.temporal.namespace,
    ...dataConverter,
    sinks: tracing.sinks,
    ...options.workerOptions,
    interceptors: { ...tracing.interceptors, ...options.workerOptions?.interceptors },
  };
  const code = workflowCode(options.workflowBundle, config.workflowBundlePath);

  const main = await Worker.create({
    ...common,
    taskQueue: config.taskQueue,
    ...code,
    interceptors: { ...common.interceptors, workflowModules: workflowInterceptorModules(code, (options.tracing ?? ownTracing) !== undefined) },
    // A workflow cached on a worker that died waits this long before another worker takes it: a
    // pacer stalls every call on its queue meanwhile (bench/analysis.md, recovery after a kill).
    // A busy worker pays a replay.
    stickyQueueScheduleToStartTimeout: '2s',
    // Only the local activities and the ban steps of takedowns run here; provider calls go to the
    // rate-limited queues. Every poll counts against the namespace's poller limit (routes.ts).
    activities,
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: MAIN_ACTIVITY_POLLERS },
  });
  const pacers = await Worker.create({
    ...common,
    taskQueue: pacerTaskQueueName(config.taskQueue),
    ...code,
    // Pacers are never traced (UNTRACED_WORKFLOW_TYPES) and run no activities.
    stickyQueueScheduleToStartTimeout: '2s',
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: PACER_WORKFLOW_POLLERS },
  });
  if (config.queueLayout === 'shared') await configureSharedQueues(temporalClient, queues);
  const activityWorkers = await Promise.all(
    polledQueues(queues).map((queue) =>
      Worker.create({
        ...common,
        taskQueue: queue.name,
        activities,
        ...(queue.ratePerSecond !== undefined ? { maxTaskQueueActivitiesPerSecond: queue.ratePerSecond } : {}),
        // (SDK 1.24 ignores `maxConcurrentActivityTaskPolls`: the poller behavior is what counts.)
        activityTaskPollerBehavior: { type: 'simple-maximum', maximum: queue.pollers },
      }),
    ),
  );
  const workers = [main, pacers, ...activityWorkers];
  const shutdown = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    workers,
    queues,
    shutdown,
    async run() {
      try {
        await Promise.all(
          workers.map((w) =>
            w.run().catch((err: unknown) => {
              shutdown();
              throw err;
            }),
          ),
        );
      } finally {
        await clients.close();
        await ownTracing?.shutdown();
      }
    },
  };
}
