/**
 * `npm run dev`: the whole stack on one machine — a Temporal dev server with its Web UI (state kept
 * in .data/), the provider sandbox with demo streams, and the worker pointed at the sandbox, its
 * logs as lines a person reads (`TAKEDOWN_LOG_FORMAT=pretty` unless set). Once the worker polls it
 * prints the Web UI link (opening on the takedowns) and ready-to-paste `temporal workflow start`
 * commands.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { takedownSummary, takedownWorkflowId } from '../src/client';
import { devServerEnv } from '../src/connection';
import { startDevServer } from '../src/devstack/dev-server';
import { sandboxWorkerEnv } from '../src/devstack/sandbox-env';
import { devIntakeSecrets, intakeDemoCommands } from '../src/intake/demo';
import { provisionTemporalCli } from '../src/devstack/temporal-cli';
import { TAKEDOWNS_QUERY, workflowListUrl } from '../src/devstack/web-ui';
import { startSandbox } from '../src/sandbox';
import { DEMO_AGORA_ACCOUNT, DEMO_ZEGO_APP } from '../src/sandbox/demo-accounts';
import { banWorkflowId } from '../src/workflows/ban-definitions';
import type { AgoraTargetInput, TakedownRequest, ZegoTargetInput } from '../src/workflows/request';

const root = path.resolve(__dirname, '..');
const port = Number(process.env.TAKEDOWN_DEV_TEMPORAL_PORT ?? 7233);
const uiPort = Number(process.env.TAKEDOWN_DEV_UI_PORT ?? 8233);
const sandboxPort = Number(process.env.TAKEDOWN_DEV_SANDBOX_PORT ?? 18080);

/** The worker's default metrics endpoint (`TAKEDOWN_METRICS_ADDRESS`). */
const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9464';

/** The worker's log line once every queue polls, in either log format. */
const WORKER_READY = 'takedown worker started';

/** The ban workflow a demo takedown with a ban places (`ban/zego/<appId>/<roomId>/<userId>`). */
const banWorkflowIdOf = (request: TakedownRequest) =>
  request.target.provider === 'zego' && request.target.userId ? banWorkflowId({ provider: 'zego', appId: request.target.appId, scope: 'room', roomId: request.target.roomId, userId: request.target.userId }) : '';

const example = (name: string) => JSON.parse(readFileSync(path.join(root, 'examples', name), 'utf8')) as TakedownRequest & { target: (ZegoTargetInput | AgoraTargetInput) & Record<string, unknown> };

async function main(): Promise<void> {
  const cli = provisionTemporalCli((line) => console.log(line));
  console.log(`Temporal CLI: ${cli.path} (from ${cli.source})`);
  mkdirSync(path.join(root, '.data'), { recursive: true });
  // Detached like the worker below: on Ctrl-C the worker drains first, then the server stops.
  const server = await startDevServer({ cli, port, uiPort, dbFilename: path.join(root, '.data', 'temporal.db'), detached: true });

  const zegoApp = { appId: Number(process.env.ZEGO_APP_ID ?? DEMO_ZEGO_APP.appId), serverSecret: process.env.ZEGO_SERVER_SECRET ?? DEMO_ZEGO_APP.serverSecret };
  const agoraAccount = {
    customerId: process.env.AGORA_CUSTOMER_ID ?? DEMO_AGORA_ACCOUNT.customerId,
    customerSecret: process.env.AGORA_CUSTOMER_SECRET ?? DEMO_AGORA_ACCOUNT.customerSecret,
  };
  const sandbox = await startSandbox({ port: sandboxPort, zegoApps: [zegoApp], agoraAccounts: [agoraAccount] });

  const zego = example('zego-takedown.json');
  const agora = example('agora-takedown.json');
  const banned = example('zego-ban.json');
  if (zego.target.provider === 'zego') {
    const t = zego.target;
    await sandbox.control.seedZego({
      appId: zegoApp.appId,
      rooms: [{ roomId: t.roomId, users: [t.userId, 'demo-viewer'], streams: [{ streamId: t.streamId, userId: t.userId }] }],
      mixTasks: (t.mixTasks ?? []).map((m) => ({ taskId: m.taskId, ownerUserId: m.userId, inputStreamIds: [t.streamId] })),
    });
  }
  if (banned.target.provider === 'zego') {
    // A client that logs in again a second after every kick, for an hour: refused while banned.
    const t = banned.target;
    await sandbox.control.addZegoClient({ appId: zegoApp.appId, roomId: t.roomId, userId: t.userId, streamId: t.streamId, rejoin: { delayMs: 1_000, intervalMs: 1_000, giveUpAfterMs: 3_600_000 } });
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
    // stdout passes through this process, which watches it for the worker's start line.
    stdio: ['ignore', 'pipe', 'inherit'],
    // A process group of its own: Ctrl-C reaches this process only, which then stops the worker
    // with one SIGTERM. The SDK stops listening after the first signal, so the terminal's SIGINT
    // followed by that SIGTERM would kill the worker in the middle of draining.
    detached: true,
    env: {
      ...process.env,
      // Plaintext to the local dev server, whatever TEMPORAL_* the shell has for other clusters.
      ...devServerEnv(server.address),
      ...sandboxWorkerEnv(sandbox.url, server.address, { zego: zegoApp, agora: agoraAccount }),
      TAKEDOWN_LOG_FORMAT: process.env.TAKEDOWN_LOG_FORMAT || 'pretty',
    },
  });
  const polling = new Promise<void>((resolve) => {
    let tail = '';
    worker.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4_096);
      if (tail.includes(WORKER_READY)) resolve();
    });
  });
  const metrics = process.env.TAKEDOWN_METRICS_ADDRESS ?? DEFAULT_METRICS_ADDRESS;

  // The classifier intake, on the same dev server, with the example policy and demo secrets.
  const intakeSecrets = devIntakeSecrets(process.env);
  const intakeAddress = process.env.TAKEDOWN_INTAKE_ADDRESS ?? '127.0.0.1:8787';
  const intake = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'src', 'intake', 'main.ts')], {
    stdio: 'inherit',
    // Its own process group, like the worker: only this process gets Ctrl-C, and stops it once.
    detached: true,
    env: {
      ...process.env,
      ...devServerEnv(server.address),
      ...intakeSecrets.values,
      TAKEDOWN_INTAKE_ADDRESS: intakeAddress,
      TAKEDOWN_POLICY_FILE: process.env.TAKEDOWN_POLICY_FILE ?? path.join(root, 'examples', 'policy.json'),
    },
  });

  const start = (file: string, request: TakedownRequest) =>
    [
      `${cli.path} workflow start --address ${server.address} --task-queue takedown --type takedown`,
      `  --workflow-id '${takedownWorkflowId(request.target)}' --id-conflict-policy UseExisting`,
      `  --static-summary '${takedownSummary(request)}' --input-file examples/${file}`,
    ].join(' \\\n');
  const banner = () => console.log(`
takedown dev stack is up.
  Temporal:       ${server.address} (state in .data/temporal.db)
  Web UI:         ${workflowListUrl(server.uiUrl!, 'default', TAKEDOWNS_QUERY)}
                  (the takedowns; without the query the list also holds a providerPacer per busy queue)
  Sandbox:        ${sandbox.url} (ZEGO and Agora; request log at ${sandbox.url}/_sandbox/requests)
  Metrics:        ${metrics === 'off' ? 'off' : `http://${metrics}/metrics`}

Start a takedown (then watch it in the Web UI):

${start('zego-takedown.json', zego)}

${start('agora-takedown.json', agora)}

Query its status:  ${cli.path} workflow query --address ${server.address} --workflow-id '${takedownWorkflowId(zego.target)}' --name status

Ban a repeat offender for an hour (the takedown places the rule before the kick; the user's client
tries to come back every second and is refused, see ${sandbox.url}/_sandbox/clients):

${start('zego-ban.json', banned)}

List the active bans, then lift this one:

${cli.path} workflow list --address ${server.address} --query 'WorkflowType="ban" AND TakedownOutcome="banned"'
${cli.path} workflow update execute --address ${server.address} --workflow-id '${banWorkflowIdOf(banned)}' \\
  --name lift --input '{"by": "you@example.com", "reason": "appeal upheld"}'

Restarting \`npm run dev\` puts the demo streams back. Ctrl-C stops everything.
`);
  console.log(`Classifier intake: http://${intakeAddress} (policy examples/policy.json, metrics http://${process.env.TAKEDOWN_INTAKE_METRICS_ADDRESS ?? '127.0.0.1:9465'}/metrics).
Send the example verdicts (bash, openssl, curl):

${intakeDemoCommands({ url: `http://${intakeAddress}`, examplesDir: path.join(root, 'examples'), cli: cli.path, temporalAddress: server.address, demoSecrets: intakeSecrets.demo })}
`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    worker.kill('SIGTERM');
    intake.kill('SIGTERM');
    // 'close', not 'exit': the worker's last lines are still in the pipe when it exits.
    await new Promise((r) => (worker.stdout!.closed ? r(null) : worker.once('close', r)));
    await new Promise((r) => (intake.exitCode !== null ? r(null) : intake.once('exit', r)));
    await sandbox.close();
    await server.stop();
    process.exit(code);
  };
  // SIGHUP too (the terminal closed): the worker and the intake are in groups of their own and would not get it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  intake.once('exit', (code) => {
    if (!stopping) {
      console.error(`intake exited (${code}); stopping the dev stack`);
      void stop(1);
    }
  });
  worker.once('exit', (code) => {
    if (!stopping) {
      console.error(`worker exited (${code}); stopping the dev stack`);
      void stop(1);
    }
  });
  // The banner comes last, once the worker polls: the commands in it work from then on.
  void polling.then(banner);
}

main().catch((err: unknown) => {
  console.error(`npm run dev failed: ${(err as Error).message}`);
  process.exit(1);
});
