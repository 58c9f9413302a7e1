/**
 * `npm run intake`: the classifier intake. Reads and checks its configuration and the policy, then
 * serves the four routes until SIGINT/SIGTERM, letting answers in progress finish.
 */
import { IntakeConfigError, loadIntakeConfig, type IntakeConfig } from './config';
import { Intake } from './intake';
import { jsonLogger } from './logging';
import { createMetrics, serveMetrics } from './metrics';
import { createIntakeServer } from './server';
import { connectTemporal } from './temporal';

function readConfig(): IntakeConfig {
  try {
    return loadIntakeConfig();
  } catch (err) {
    if (err instanceof IntakeConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = jsonLogger(config.logLevel);
  const metrics = createMetrics();
  const temporal = connectTemporal(config);
  const intake = new Intake({ client: temporal.client, connection: temporal.connection, taskQueue: config.taskQueue, policy: config.policy, logger, metrics });
  const app = createIntakeServer({ config, intake, logger, metrics });
  const address = await app.listen({ host: config.address.host, port: config.address.port });
  const metricsEndpoint = config.metricsAddress ? await serveMetrics(metrics, config.metricsAddress) : undefined;
  logger.info('intake started', {
    address,
    temporal: config.temporal.address,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    routes: {
      '/v1/decisions': Boolean(config.decisionsSecret),
      '/zego/censor': Boolean(config.zegoCallbackSecret),
      '/activefence': Boolean(config.activefenceApiKey),
      '/hive/<token>': Boolean(config.hiveToken),
    },
    policy: config.policyFile ? `${config.policyFile} (${config.policy?.rules.length ?? 0} rules)` : 'none',
    metrics: metricsEndpoint?.url ?? 'off',
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await metricsEndpoint?.close();
    await temporal.close();
    logger.info('intake stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`intake failed: ${(err as Error)?.message ?? err}`);
  process.exit(1);
});
