/**
 * `npm start`: the takedown worker. Reads its configuration, checks the search attributes, then
 * polls the workflow queue and one rate-limited activity queue per provider app and bucket until
 * SIGINT/SIGTERM, letting in-flight provider calls finish first.
 */
import { Connection } from '@temporalio/client';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
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
  const clientConnection = await Connection.connect({ address });
  const registered = await ensureSearchAttributes(clientConnection, namespace);
  if (registered.length) logger.info('registered search attributes', { namespace, registered });

  const connection = await NativeConnection.connect({ address });
  try {
    const takedown = await createTakedownWorkers({ connection, clientConnection, config, workerOptions: { shutdownGraceTime: '20s' } });
    logger.info('takedown worker started', {
      address,
      namespace,
      taskQueue: config.taskQueue,
      activityQueues: takedown.queues.map((q) => `${q.name} @ ${q.ratePerSecond}/s`),
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
  console.error(`takedown worker failed: ${(err as Error)?.message ?? err}`);
  process.exit(1);
});
