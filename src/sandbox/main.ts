/**
 * `npm run sandbox -- --port N [--latency-ms N]`: runs the provider sandbox until SIGINT/SIGTERM.
 * Accounts come from ZEGO_APP_ID/ZEGO_SERVER_SECRET (or ZEGO_APPS) and
 * AGORA_CUSTOMER_ID/AGORA_CUSTOMER_SECRET, with demo defaults when unset.
 */
import { bannerLines, readCliConfig } from './cli-config';
import { startSandbox } from './index';

async function main(): Promise<void> {
  const read = readCliConfig(process.argv.slice(2), process.env);
  if ('errors' in read) {
    for (const line of read.errors) console.error(`sandbox: ${line}`);
    process.exitCode = 2;
    return;
  }
  const { config } = read;
  const sandbox = await startSandbox({
    host: config.host,
    port: config.port,
    latencyMs: config.latencyMs,
    zegoApps: config.zegoApps.map(({ appId, serverSecret, isTest }) => ({ appId, serverSecret, isTest })),
    agoraAccounts: config.agoraAccounts.map(({ customerId, customerSecret }) => ({ customerId, customerSecret })),
  });
  for (const line of bannerLines(sandbox.url, config)) console.log(line);

  const stop = (signal: NodeJS.Signals): void => {
    console.log(`sandbox: ${signal}, stopping`);
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
