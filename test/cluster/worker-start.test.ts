/**
 * The worker process (`src/worker.ts`, as `npm start` runs it) against the mTLS cluster that
 * `npm run test:cluster` starts: it connects with the right certificate, from variables or from
 * a config file profile, and stops at start with one line naming the problem when the CA, the
 * client certificate or the namespace is wrong — no stack trace, no key material.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONNECT_FAILURE, connectTakedownClient, isTemporalConnectionVariable, type TemporalConnectError } from '../../src/connection';
import { TEMPORAL_SERVER_VERSION } from '../../src/devstack/cluster-versions';
import { DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';

const ROOT = path.resolve(__dirname, '..', '..');
const certsDir = process.env.TAKEDOWN_CLUSTER_CERTS_DIR;
const address = process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS;
if (!certsDir || !address) throw new Error('TAKEDOWN_CLUSTER_CERTS_DIR and TAKEDOWN_TEST_TEMPORAL_ADDRESS are not set: run these tests with npm run test:cluster');
const cert = (name: string): string => path.join(certsDir, name);

/** An empty HOME for the worker, so no per-user Temporal config file applies; TOML files go here too. */
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'takedown-cluster-start-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What the cluster accepts: its CA, the worker certificate, the name in the server certificate. */
const GOOD = {
  TEMPORAL_ADDRESS: address,
  TEMPORAL_NAMESPACE: 'default',
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: cert('ca.pem'),
  TEMPORAL_TLS_CLIENT_CERT_PATH: cert('worker.pem'),
  TEMPORAL_TLS_CLIENT_KEY_PATH: cert('worker.key'),
  TEMPORAL_TLS_SERVER_NAME: 'localhost',
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the worker with only `temporal` as connection settings (the caller's own `TEMPORAL_*`
 * are dropped). With `untilStarted`, stops it with SIGTERM once it logs that it started.
 */
function runWorker(temporal: Record<string, string>, options: { untilStarted?: boolean } = {}): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !isTemporalConnectionVariable(name)));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'worker.ts')], {
    cwd: ROOT,
    env: {
      ...base,
      HOME: scratch,
      ...temporal,
      ZEGO_APP_ID: String(DEMO_ZEGO_APP.appId),
      ZEGO_SERVER_SECRET: DEMO_ZEGO_APP.serverSecret,
      // Never called: the worker talks to providers only when a takedown runs.
      ZEGO_API_URL: 'http://127.0.0.1:9',
      TAKEDOWN_METRICS_ADDRESS: 'off',
      TAKEDOWN_TASK_QUEUE: `cluster-start-${process.pid}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let stopping = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    // The start line is logged just before the workers run, and the runtime takes over SIGTERM
    // only once they do: give it a moment, or the signal would kill the process outright.
    if (options.untilStarted && !stopping && stdout.includes('"takedown worker started"')) {
      stopping = true;
      setTimeout(() => child.kill('SIGTERM'), 1_000);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); }));
}

const without = (name: keyof typeof GOOD): Record<string, string> => Object.fromEntries(Object.entries(GOOD).filter(([k]) => k !== name));
const withoutClientCert = Object.fromEntries(Object.entries(GOOD).filter(([k]) => !k.startsWith('TEMPORAL_TLS_CLIENT_')));
const keyMaterial = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));

test('with the worker certificate it connects over mTLS, finds its search attributes and stops cleanly', async () => {
  const run = await runWorker(GOOD, { untilStarted: true });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const started = run.stdout.split('\n').find((line) => line.includes('"takedown worker started"'));
  expect(JSON.parse(started!).connection).toBe(`${address}, namespace default, mTLS (client certificate CN=takedown-worker, server CA ${cert('ca.pem')}, server name localhost)`);
  expect(run.stdout).toContain('"takedown worker stopped"');
});

test('a profile in a TOML config file (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) connects the same way', async () => {
  const file = path.join(scratch, 'temporal.toml');
  writeFileSync(
    file,
    [
      '[profile.cluster]',
      `address = "${address}"`,
      'namespace = "default"',
      '[profile.cluster.tls]',
      `server_ca_cert_path = "${cert('ca.pem')}"`,
      `client_cert_path = "${cert('worker.pem')}"`,
      `client_key_path = "${cert('worker.key')}"`,
      'server_name = "localhost"',
      '',
    ].join('\n'),
  );
  const run = await runWorker({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cluster' }, { untilStarted: true });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`"connection":"${address}, namespace default, mTLS (client certificate CN=takedown-worker`);
});

describe('stops at start with one line saying why', () => {
  test.each([
    ['without the CA that signed the server certificate', without('TEMPORAL_TLS_SERVER_CA_CERT_PATH'), "the server's certificate is not signed by a CA this machine trusts; set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it"],
    [
      'with a client certificate from a CA the server does not trust',
      { ...GOOD, TEMPORAL_TLS_CLIENT_CERT_PATH: cert('rogue.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: cert('rogue.key') },
      // TLS 1.3: the server's verdict arrives as an alert or as a hang-up, depending on timing.
      /(the server rejected the client certificate in TEMPORAL_TLS_CLIENT_CERT_PATH \(not signed by a CA it accepts\)|the server hung up after the TLS handshake: it did not accept the client certificate in TEMPORAL_TLS_CLIENT_CERT_PATH)/,
    ],
    [
      'without a client certificate',
      withoutClientCert,
      /(the server requires a client certificate|the server hung up after the TLS handshake: it probably requires a client certificate); set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH|\(TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH\)/,
    ],
    ['with a namespace the cluster does not have', { ...GOOD, TEMPORAL_NAMESPACE: 'no-such-namespace' }, 'namespace "no-such-namespace" does not exist on this server (TEMPORAL_NAMESPACE)'],
    ['in plaintext', { TEMPORAL_ADDRESS: address }, 'the server closed the plaintext connection; it probably expects TLS'],
  ])('%s', async (_label, temporal, reason) => {
    const run = await runWorker(temporal);
    expect(run.code).not.toBe(0);
    const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^takedown worker failed: cannot use Temporal at /);
    if (typeof reason === 'string') expect(lines[0]).toContain(reason);
    else expect(lines[0]).toMatch(reason);
    expect(run.stdout).not.toContain('"takedown worker started"');
    for (const secret of [...keyMaterial(cert('worker.key')), ...keyMaterial(cert('rogue.key'))]) {
      expect(run.stderr + run.stdout).not.toContain(secret);
    }
  });
});

test.each([
  ['a client certificate without its key', without('TEMPORAL_TLS_CLIENT_KEY_PATH'), 'TEMPORAL_TLS_CLIENT_CERT_PATH: a client certificate needs its key (TEMPORAL_TLS_CLIENT_KEY_PATH)'],
  [
    "another certificate's key",
    { ...GOOD, TEMPORAL_TLS_CLIENT_KEY_PATH: cert('rogue.key') },
    'TEMPORAL_TLS_CLIENT_KEY_PATH: the key does not belong to the client certificate in TEMPORAL_TLS_CLIENT_CERT_PATH',
  ],
])('%s is a configuration problem, reported before any connection', async (_label, temporal, problem) => {
  const run = await runWorker(temporal);
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toEqual(['invalid worker configuration:', `  - ${problem}`]);
});

describe('connectTakedownClient, for code that starts takedowns', () => {
  test('connects with the same variables, in their namespace, with the payload codec when keys are set', async () => {
    const client = await connectTakedownClient({ ...GOOD, TAKEDOWN_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` });
    try {
      expect(client.options.namespace).toBe('default');
      expect(client.options.loadedDataConverter.payloadCodecs).toHaveLength(1);
      const { serverVersion } = await client.connection.workflowService.getSystemInfo({});
      expect(serverVersion).toBe(TEMPORAL_SERVER_VERSION);
    } finally {
      await client.connection.close();
    }
  });

  test('a namespace the cluster does not have fails with its code, on one line', async () => {
    const failure = await connectTakedownClient({ ...GOOD, TEMPORAL_NAMESPACE: 'no-such-namespace' }).then(
      () => undefined,
      (err: unknown) => err as TemporalConnectError,
    );
    expect(failure?.code).toBe(CONNECT_FAILURE.namespaceNotFound);
    expect(failure?.message).toMatch(/^cannot use Temporal at [^\n]+: namespace "no-such-namespace" does not exist on this server \(TEMPORAL_NAMESPACE\)$/);
  });
});
