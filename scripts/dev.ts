/**
 * `npm run dev`: the whole stack on one machine — a Temporal dev server with its Web UI (state kept
 * in .data/), the provider sandbox with demo streams, and the worker pointed at the sandbox.
 * Prints the Web UI address and ready-to-paste `temporal workflow start` commands.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { takedownSummary, takedownWorkflowId } from '../src/client';
import { devServerEnv } from '../src/connection';
import { startDevServer } from '../src/devstack/dev-server';
import { provisionTemporalCli } from '../src/devstack/temporal-cli';
import { startSandbox } from '../src/sandbox';
import { DEMO_AGORA_ACCOUNT, DEMO_ZEGO_APP } from '../src/sandbox/demo-accounts';
import type { TakedownRequest } from '../src/workflows/request';

const root = path.resolve(__dirname, '..');
const port = Number(process.env.TAKEDOWN_DEV_TEMPORAL_PORT ?? 7233);
const uiPort = Number(process.env.TAKEDOWN_DEV_UI_PORT ?? 8233);
const sandboxPort = Number(process.env.TAKEDOWN_DEV_SANDBOX_PORT ?? 18080);

const example = (name: string) => JSON.parse(readFileSync(path.join(root, 'examples', name), 'utf8')) as TakedownRequest & { target: Record<string, unknown> };

async function main(): Promise<void> {
  const cli = provisionTemporalCli((line) => console.log(line));
  console.log(`Temporal CLI: ${cli.path} (from ${cli.source})`);
  mkdirSync(path.join(root, '.data'), { recursive: true });
  const server = await startDevServer({ cli, port, uiPort, dbFilename: path.join(root, '.data', 'temporal.db') });

  const zegoApp = { appId: Number(process.env.ZEGO_APP_ID ?? DEMO_ZEGO_APP.appId), serverSecret: process.env.ZEGO_SERVER_SECRET ?? DEMO_ZEGO_APP.serverSecret };
  const agoraAccount = {
    customerId: process.env.AGORA_CUSTOMER_ID ?? DEMO_AGORA_ACCOUNT.customerId,
    customerSecret: process.env.AGORA_CUSTOMER_SECRET ?? DEMO_AGORA_ACCOUNT.customerSecret,
  };
  const sandbox = await startSandbox({ port: sandboxPort, zegoApps: [zegoApp], agoraAccounts: [agoraAccount] });

  const zego = example('zego-takedown.json');
  const agora = example('agora-takedown.json');
  if (zego.target.provider === 'zego') {
    const t = zego.target;
    await sandbox.control.seedZego({
      appId: zegoApp.appId,
      rooms: [{ roomId: t.roomId, users: [t.userId, 'demo-viewer'], streams: [{ streamId: t.streamId, userId: t.userId }] }],
      mixTasks: (t.mixTasks ?? []).map((m) => ({ taskId: m.taskId, ownerUserId: m.userId, inputStreamIds: [t.streamId] })),
    });
  }
  if (agora.target.provider === 'agora') {
    const t = agora.target;
    await sandbox.control.seedAgora({
      appId: t.appId,
      region: t.region,
      streamKeys: [{ streamKey: t.streamKey, channel: t.channel ?? 'demo-channel', uid: '1001', port: true }],
    });
  }

  const worker = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'src', 'worker.ts')], {
    stdio: 'inherit',
    env: {
      // Plaintext to the local dev server, whatever TEMPORAL_* the shell has for other clusters.
      ...devServerEnv(server.address),
      ZEGO_APP_ID: String(zegoApp.appId),
      ZEGO_SERVER_SECRET: zegoApp.serverSecret,
      ZEGO_API_URL: sandbox.url,
      AGORA_CUSTOMER_ID: agoraAccount.customerId,
      AGORA_CUSTOMER_SECRET: agoraAccount.customerSecret,
      AGORA_API_URL: sandbox.url,
    },
  });

  const start = (file: string, request: TakedownRequest) =>
    [
      `${cli.path} workflow start --address ${server.address} --task-queue takedown --type takedown`,
      `  --workflow-id '${takedownWorkflowId(request.target)}' --id-conflict-policy UseExisting`,
      `  --static-summary '${takedownSummary(request)}' --input-file examples/${file}`,
    ].join(' \\\n');
  console.log(`
takedown dev stack is up.
  Temporal:       ${server.address} (state in .data/temporal.db)
  Web UI:         ${server.uiUrl}/namespaces/default/workflows
  Sandbox:        ${sandbox.url} (ZEGO and Agora; request log at ${sandbox.url}/_sandbox/requests)
  Metrics:        http://127.0.0.1:9464/metrics

Start a takedown (then watch it in the Web UI):

${start('zego-takedown.json', zego)}

${start('agora-takedown.json', agora)}

Query its status:  ${cli.path} workflow query --address ${server.address} --workflow-id '${takedownWorkflowId(zego.target)}' --name status
Restarting \`npm run dev\` puts the demo streams back. Ctrl-C stops everything.
`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    worker.kill('SIGTERM');
    await new Promise((r) => (worker.exitCode !== null ? r(null) : worker.once('exit', r)));
    await sandbox.close();
    await server.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  worker.once('exit', (code) => {
    if (!stopping) {
      console.error(`worker exited (${code}); stopping the dev stack`);
      void stop(1);
    }
  });
}

main().catch((err: unknown) => {
  console.error(`npm run dev failed: ${(err as Error).message}`);
  process.exit(1);
});
