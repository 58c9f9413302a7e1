/**
 * `npm start`: the takedown worker. Reads its configuration, checks the search attributes, then
 * polls the workflow queue and one rate-limited activity queue per provider app and bucket until
 * SIGINT/SIGTERM, letting in-flight provider calls finish first.
 */
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { TemporalConnectError, connectClient, connectNative, recognizeConnectFailure } from './connection';
import { ConfigError, loadConfig, type WorkerConfig } from './takedown-worker/config';
import { createLogger, parseLogFormat, type LogFormat } from './takedown-worker/logging';
import { ensureSearchAttributes } from './takedown-worker/search-attributes';
import { createTakedownWorkers } from './takedown-worker/workers';

function readConfig(): { config: WorkerConfig; logFormat: LogFormat } {
  try {
    return { config: loadConfig(), logFormat: parseLogFormat(process.env.TAKEDOWN_LOG_FORMAT) };
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const { config, logFormat } = readConfig();
  const logger = createLogger(config.logLevel, logFormat);
  Runtime.install({
    logger,
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      ...(config.metricsAddress ? { metrics: { prometheus: { bindAddress: config.metricsAddress } } } : {}),
    },
  });

  const { address, namespace } = config.temporal;
  const settings = config.temporalConnection;
  // The worker's own connection first: the Rust core names a transport or TLS failure at once.
  const connection = await connectNative(settings);
  const clientConnection = await connectClient(settings);
  const registered = await ensureSearchAttributes(clientConnection, namespace);
  if (registered.length) logger.info('registered search attributes', { namespace, registered });

  try {
    const takedown = await createTakedownWorkers({ connection, clientConnection, config, workerOptions: { shutdownGraceTime: '20s' } })
      .catch((err: unknown) => { throw recognizeConnectFailure(err, settings) ?? err; });
    logger.info('takedown worker started', {
      address,
      connection: settings.summary,
      namespace,
      taskQueue: config.taskQueue,
      activityQueues: takedown.queues.map((q) => `${q.name}${q.fairnessKey ? ` [${q.fairnessKey}]` : ''} @ ${q.ratePerSecond}/s`),
      metrics: config.metricsAddress ? `http://${config.metricsAddress}/metrics` : 'off',
    });
    await takedown.run();
    logger.info('takedown worker stopped');
  } finally {
    await connection.close();
    await clientConnection.close();
  }
}

main().catch((err: unknown) => {
  // A connection failure is already one line naming address, TLS, credentials or namespace.
  const message = err instanceof TemporalConnectError ? err.message : String((err as Error)?.message ?? err).replace(/\s*\n\s*/g, ' ');
  console.error(`takedown worker failed: ${message}`);
  process.exit(1);
});
