/**
 * Records the histories that the replay test guards, run on a fresh dev server against the
 * sandbox: a ZEGO and an Agora takedown, a ZEGO takedown with a ban, and that ban (lifted). Run
 * after a deliberate workflow change: `npx tsx scripts/record-histories.ts`, then commit
 * test/histories/. It never overwrites the histories recorded by earlier workflow code
 * (`zego-takedown.json`, `agora-takedown.json`, from before the plan): running takedowns of every
 * version must keep replaying.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Client } from '@temporalio/client';
import { startTakedown } from '../src/client';
import { connectClient, connectNative, devServerConnection } from '../src/connection';
import { sandboxWorkerEnv } from '../src/devstack/sandbox-env';
import { startDevServer } from '../src/devstack/dev-server';
import { provisionTemporalCli } from '../src/devstack/temporal-cli';
import { startSandbox } from '../src/sandbox';
import { DEMO_AGORA_ACCOUNT, DEMO_AGORA_APP_ID, DEMO_ZEGO_APP } from '../src/sandbox/demo-accounts';
import { loadConfig } from '../src/takedown-worker/config';
import { createTakedownWorkers } from '../src/takedown-worker/workers';
import { liftUpdate } from '../src/workflows/ban-definitions';
import type { TakedownRequest } from '../src/workflows/request';

async function main(): Promise<void> {
  const server = await startDevServer({ cli: provisionTemporalCli(), lifetimeSeconds: 600 });
  const sandbox = await startSandbox({ zegoApps: [DEMO_ZEGO_APP], agoraAccounts: [DEMO_AGORA_ACCOUNT] });
  const config = loadConfig({
    ...sandboxWorkerEnv(sandbox.url, server.address),
    TAKEDOWN_METRICS_ADDRESS: 'off',
  });
  const connection = devServerConnection(server.address);
  const native = await connectNative(connection);
  const clientConnection = await connectClient(connection);
  const workers = await createTakedownWorkers({ connection: native, clientConnection, config });
  const running = workers.run();
  const client = new Client({ connection: clientConnection });

  await sandbox.control.seedZego({
    appId: DEMO_ZEGO_APP.appId,
    rooms: [{ roomId: 'room-1', users: ['host-42'], streams: [{ streamId: 'stream-1', userId: 'host-42' }] }],
    mixTasks: [{ taskId: 'mix-7', ownerUserId: 'mix-owner', inputStreamIds: ['stream-1'] }],
  });
  await sandbox.control.seedAgora({ appId: DEMO_AGORA_APP_ID, region: 'na', streamKeys: [{ streamKey: 'recorded-key', channel: 'ch-1', uid: '7' }] });
  await sandbox.control.addZegoClient({ appId: DEMO_ZEGO_APP.appId, roomId: 'room-2', userId: 'offender-9', streamId: 'stream-2' });
  const requests: Record<string, TakedownRequest> = {
    'zego-takedown-planned': {
      violationId: 'clf-recorded-zego',
      reason: 'violent content',
      target: { provider: 'zego', appId: DEMO_ZEGO_APP.appId, roomId: 'room-1', streamId: 'stream-1', userId: 'host-42', mixTasks: [{ taskId: 'mix-7', userId: 'mix-owner' }] },
    },
    'agora-takedown-planned': {
      violationId: 'clf-recorded-agora',
      target: { provider: 'agora', appId: DEMO_AGORA_APP_ID, region: 'na', streamKey: 'recorded-key', channel: 'ch-1' },
    },
    'zego-ban-takedown': {
      violationId: 'clf-recorded-zego-ban',
      ban: { duration: '1h' },
      target: { provider: 'zego', appId: DEMO_ZEGO_APP.appId, roomId: 'room-2', streamId: 'stream-2', userId: 'offender-9' },
    },
  };
  const histories = path.join(__dirname, '..', 'test', 'histories');
  const record = async (name: string, handle: { workflowId: string; fetchHistory(): Promise<Parameters<typeof historyToJSON>[0]> }) => {
    const file = path.join(histories, `${name}.json`);
    writeFileSync(file, `${historyToJSON(await handle.fetchHistory())}\n`);
    console.log(`recorded ${handle.workflowId} -> ${path.relative(process.cwd(), file)}`);
  };
  for (const [name, request] of Object.entries(requests)) {
    const handle = await startTakedown(client, request);
    const result = await handle.result();
    await record(name, handle);
    if (result.ban) {
      const ban = client.workflow.getHandle(result.ban.workflowId);
      await ban.executeUpdate(liftUpdate, { args: [{ by: 'recorder', reason: 'recorded history' }] });
      await ban.result();
      await record('zego-ban', ban);
    }
  }
  workers.shutdown();
  await running;
  await native.close();
  await client.connection.close();
  await sandbox.close();
  await server.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
