/**
 * The series the alert rules and the dashboard rely on (test/harness/worker-metrics.ts), checked
 * against a real worker process (`src/worker.ts`) scraped over HTTP after takedowns that succeed,
 * retry, get throttled and get rejected.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { request } from 'undici';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTakedown } from '../../src/client';
import { freePort } from '../../src/devstack/dev-server';
import { sandboxWorkerEnv } from '../../src/devstack/sandbox-env';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { DEMO_AGORA_ACCOUNT, DEMO_AGORA_APP_ID, DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';
import type { TakedownRequest } from '../../src/workflows/request';
import { WORKER_METRICS } from '../harness/worker-metrics';
import { connectTestEnv, eventually, quietRuntime, uniqueName } from '../harness/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let worker: ChildProcess;
let output = '';
let metricsUrl: string;
const taskQueue = uniqueName('takedown');
const RULE_CAP_SECONDS = 3;

beforeAll(async () => {
  quietRuntime();
  env = await connectTestEnv();
  sandbox = await startSandbox({ zegoApps: [DEMO_ZEGO_APP], agoraAccounts: [DEMO_AGORA_ACCOUNT], encoderReconnectDelayMs: 20, ruleCaps: { zegoMaxEffectiveTimeSeconds: RULE_CAP_SECONDS } });
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  metricsUrl = `http://${metricsAddress}/metrics`;
  // `timeout` bounds the worker's life even if this test dies without its teardown.
  worker = spawn('timeout', ['--signal=KILL', '300', process.execPath, '--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...sandboxWorkerEnv(sandbox.url, process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS!),
      TAKEDOWN_TASK_QUEUE: taskQueue,
      TAKEDOWN_METRICS_ADDRESS: metricsAddress,
      TAKEDOWN_RETRY_INITIAL_INTERVAL: '50ms',
      TAKEDOWN_RETRY_MAXIMUM_INTERVAL: '500ms',
      TAKEDOWN_LOG_LEVEL: 'WARN',
      // Rules of a few seconds, so a short ban renews its rule (and counts the renewals).
      ZEGO_MAX_RULE_SECONDS: String(RULE_CAP_SECONDS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // The worker serves /metrics once the runtime is up; it polls once the bundle is built.
  await eventually(async () => {
    expect(worker.exitCode).toBeNull();
    const text = await scrape();
    expect(text).toMatch(new RegExp(`temporal_num_pollers\\{[^}]*poller_type="workflow_task"[^}]*task_queue="${taskQueue}"`));
  }, 60_000).catch((err: unknown) => {
    throw new Error(`the worker did not start polling: ${(err as Error).message}\n${output}`);
  });
});

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker.once('exit', r));
    process.kill(-worker.pid!, 'SIGTERM');
    await exited;
  }
  await sandbox?.close();
  await env?.teardown();
});

async function scrape(): Promise<string> {
  const answer = await request(metricsUrl);
  expect(answer.statusCode).toBe(200);
  return answer.body.text();
}

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition: `# TYPE` lines and samples. */
function parseExposition(text: string): { types: Map<string, string>; series: Series[] } {
  const types = new Map<string, string>();
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    series.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { types, series };
}

const zego = (roomId: string, streamId: string): TakedownRequest => ({
  violationId: uniqueName('clf'),
  target: { provider: 'zego', appId: DEMO_ZEGO_APP.appId, roomId, streamId, userId: 'host-42' },
});

test('a real worker exports every series the rules and dashboard use, with their labels', async () => {
  const client = env.client;
  const start = (req: TakedownRequest) => startTakedown(client, req, { taskQueue });
  // A 10 s ban on 3 s rules, running beside the takedowns below.
  const banRoom = uniqueName('room');
  await sandbox.control.seedZego({ appId: DEMO_ZEGO_APP.appId, rooms: [{ roomId: banRoom, users: ['offender'], streams: [{ streamId: 'banned-stream', userId: 'offender' }] }] });
  const banned = (await (await start({ violationId: uniqueName('clf'), ban: { duration: '10s' }, target: { provider: 'zego', appId: DEMO_ZEGO_APP.appId, roomId: banRoom, streamId: 'banned-stream', userId: 'offender' } })).result()).ban!;
  const banEnded = client.workflow.getHandle(banned.workflowId).result();
  // Enforced, after one retry of DeleteStream.
  const [roomA, streamA, roomB, streamB] = [uniqueName('room'), uniqueName('stream'), uniqueName('room'), uniqueName('stream')];
  await sandbox.control.seedZego({ appId: DEMO_ZEGO_APP.appId, rooms: [{ roomId: roomA, users: ['host-42'], streams: [{ streamId: streamA, userId: 'host-42' }] }] });
  await sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { zegoCode: 1 } });
  expect((await (await start(zego(roomA, streamA))).result()).outcome).toBe('enforced');
  // Rejected: KickoutUser answers a non-retryable code.
  await sandbox.control.seedZego({ appId: DEMO_ZEGO_APP.appId, rooms: [{ roomId: roomB, users: ['host-42'], streams: [{ streamId: streamB, userId: 'host-42' }] }] });
  await sandbox.control.injectFault({ provider: 'zego', operation: 'KickoutUser', count: 1, answer: { zegoCode: 2 } });
  await expect((await start(zego(roomB, streamB))).result()).rejects.toThrow();
  // Agora, throttled once (429 with Retry-After) on the key deletion.
  const streamKey = uniqueName('key');
  await sandbox.control.seedAgora({ appId: DEMO_AGORA_APP_ID, region: 'na', streamKeys: [{ streamKey, channel: 'c', uid: '1001', live: true, port: true }] });
  await sandbox.control.injectFault({ provider: 'agora', operation: 'DeleteStreamKey', count: 1, answer: { status: 429, retryAfterSeconds: 1 } });
  expect((await (await start({ violationId: uniqueName('clf'), target: { provider: 'agora', appId: DEMO_AGORA_APP_ID, region: 'na', streamKey } })).result()).outcome).toBe('enforced');

  expect(await banEnded).toEqual({ outcome: 'expired' });
  const { types, series } = await eventually(async () => {
    const parsed = parseExposition(await scrape());
    expect(parsed.series.some((s) => s.name === 'takedown_takedowns' && s.labels.outcome === 'ProviderRejected')).toBe(true);
    return parsed;
  }, 10_000);
  const ours = (name: string) => series.filter((s) => s.name === name && (s.labels.taskQueue ?? s.labels.task_queue ?? '').startsWith(taskQueue));

  for (const [name, metric] of Object.entries(WORKER_METRICS)) {
    expect({ name, type: types.get(name) }).toEqual({ name, type: metric.type });
    const samples = metric.type === 'histogram' ? ours(`${name}_bucket`) : ours(name);
    expect({ name, samples: samples.length > 0 }).toEqual({ name, samples: true });
    for (const sample of samples) {
      expect({ name, missing: metric.labels.filter((l) => !(l in sample.labels)) }).toEqual({ name, missing: [] });
    }
  }
  // Counters carry no `_total` suffix; histograms are in ms with the buckets the rules count on.
  // (Core's own `temporal_local_activity_total` is named so; no suffix is added to any counter.)
  const counters = Object.entries(WORKER_METRICS).filter(([, m]) => m.type === 'counter').map(([n]) => n);
  expect(counters.filter((n) => types.has(`${n}_total`) || series.some((s) => s.name === `${n}_total`))).toEqual([]);
  const buckets = new Set(ours('takedown_pacer_wait_bucket').map((s) => s.labels.le));
  expect([...buckets]).toEqual(['50', '100', '500', '1000', '2500', '10000', '+Inf']);

  const value = (name: string, labels: Record<string, string>) =>
    ours(name)
      .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  // The retried one and the one with the ban.
  expect(value('takedown_takedowns', { provider: 'zego', outcome: 'enforced' })).toBe(2);
  expect(value('takedown_takedowns', { provider: 'zego', outcome: 'ProviderRejected' })).toBe(1);
  expect(value('takedown_takedowns', { provider: 'agora', outcome: 'enforced' })).toBe(1);
  expect(value('takedown_provider_calls', { provider: 'zego', action: 'DeleteStream', outcome: 'failed' })).toBe(1);
  expect(value('takedown_provider_calls', { provider: 'zego', action: 'KickoutUser', outcome: 'failed' })).toBe(1);
  expect(value('takedown_provider_calls', { provider: 'agora', action: 'DeleteStreamKey', outcome: 'failed' })).toBe(1);
  expect(value('takedown_provider_throttled', { provider: 'agora', action: 'DeleteStreamKey' })).toBe(1);
  expect(value('takedown_provider_throttled', { provider: 'zego' })).toBe(0);
  expect(ours('temporal_long_request').map((s) => s.labels.operation)).toEqual(expect.arrayContaining(['PollWorkflowTaskQueue', 'PollActivityTaskQueue']));

  // The 10 s ban renewed its 3 s rule several times, each in time.
  expect(value('takedown_ban_renewals', { provider: 'zego', outcome: 'on-time' })).toBeGreaterThanOrEqual(2);
});
