/**
 * One Temporal dev server per test run; test files connect to it through `TAKEDOWN_TEST_TEMPORAL_ADDRESS`.
 * When that variable is already set (`npm run test:cluster`), the run uses that server instead,
 * connecting with the `TEMPORAL_*` TLS and API key settings of the environment (src/connection).
 */
import type { DevServer } from '../../src/devstack/dev-server';
import { provisionTemporalCli } from '../../src/devstack/temporal-cli';
import { startDevServerWithRetries } from '../../harness/stack';

declare global {
  var __takedownDevServer: DevServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const cli = provisionTemporalCli((line) => console.log(`\n[harness] ${line}`));
  console.log(`\n[harness] Temporal CLI ${cli.path} (from ${cli.source})`);
  process.env.TEMPORAL_CLI_PATH = cli.path;
  if (process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS) {
    process.env.TAKEDOWN_TEST_TEMPORAL_EXTERNAL = '1';
    console.log(`[harness] external Temporal server ${process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS} (TAKEDOWN_TEST_TEMPORAL_ADDRESS)`);
    return;
  }
  // Bounded lifetime: if Jest dies without running teardown, the server still stops by itself.
  const server = await startDevServerWithRetries({ cli, lifetimeSeconds: 3600 });
  globalThis.__takedownDevServer = server;
  process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS = server.address;
}
