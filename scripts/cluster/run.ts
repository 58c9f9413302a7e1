/**
 * `npm run test:cluster`: the integration suite against a real Temporal cluster instead of the
 * dev server. Builds (once) or finds the Temporal server and PostgreSQL, makes a CA and
 * certificates, starts PostgreSQL and the server with mTLS on 127.0.0.1, lets the real worker
 * register its search attributes over mTLS, runs Jest (scripts/cluster/jest.config.js), and
 * stops everything. Every process has a bounded lifetime, so nothing outlives a crashed run.
 *
 *   npm run test:cluster                      # whole suite
 *   npm run test:cluster -- --record          # and write test/cluster-RESULTS.md
 *   npm run test:cluster -- test/cluster      # extra arguments go to Jest
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isTemporalConnectionVariable } from '../../src/connection';
import type { ClusterServer } from '../../src/devstack/cluster-server';
import { startClusterStack, waitForSearchAttributes, type ClusterStack } from '../../src/devstack/cluster-stack';
import { provisionClusterTools } from '../../src/devstack/cluster-tools';
import { POSTGRES_MAJOR, TEMPORAL_SERVER_VERSION } from '../../src/devstack/cluster-versions';
import { provisionTemporalCli } from '../../src/devstack/temporal-cli';
import { DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';

const ROOT = path.resolve(__dirname, '..', '..');
/** Upper bound for the whole run; the server and PostgreSQL stop by themselves after it. */
const LIFETIME_SECONDS = Number(process.env.TAKEDOWN_CLUSTER_LIFETIME ?? 2700);

const args = process.argv.slice(2);
const record = args.includes('--record');
const jestArgs = args.filter((a) => a !== '--record');

const started = Date.now();
const phases: { name: string; seconds: number }[] = [];
const log = (line: string) => console.log(`[cluster ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
async function phase<T>(name: string, run: () => T | Promise<T>): Promise<T> {
  const t = Date.now();
  const result = await run();
  phases.push({ name, seconds: (Date.now() - t) / 1000 });
  return result;
}

/** The environment without the caller's own Temporal settings, plus the cluster's. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !isTemporalConnectionVariable(name))), ...extra };
}

/**
 * Runs the real worker once against the fresh cluster: it must connect over mTLS and register
 * its search attributes itself (the contract). Returns the names it registered.
 */
async function firstWorkerStart(server: ClusterServer): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'worker.ts')], {
    cwd: ROOT,
    env: childEnv({
      ...server.workerEnv,
      ZEGO_APP_ID: String(DEMO_ZEGO_APP.appId),
      ZEGO_SERVER_SECRET: DEMO_ZEGO_APP.serverSecret,
      ZEGO_API_URL: 'http://127.0.0.1:9',
      TAKEDOWN_METRICS_ADDRESS: 'off',
      TAKEDOWN_TASK_QUEUE: 'cluster-first-start',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const startedLine = await new Promise<string | undefined>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const line = stdout.split('\n').find((l) => l.includes('"takedown worker started"'));
      if (line) resolve(line);
    });
    child.once('exit', () => resolve(undefined));
  });
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  clearTimeout(timer);
  if (!startedLine) throw new Error(`the worker did not start against the cluster: ${stderr.trim() || stdout.trim().slice(-500)}`);
  log(`worker started over mTLS: ${JSON.parse(startedLine).connection}`);
  const registered = stdout.split('\n').find((l) => l.includes('"registered search attributes"'));
  return registered ? (JSON.parse(registered).registered as string[]) : [];
}

function runJest(server: ClusterServer, certsDir: string, cliPath: string): Promise<{ code: number; summary: string }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--config', path.join(__dirname, 'jest.config.js'), ...jestArgs],
    {
      cwd: ROOT,
      env: childEnv({
        ...server.workerEnv,
        TAKEDOWN_TEST_TEMPORAL_ADDRESS: server.address,
        TAKEDOWN_CLUSTER_CERTS_DIR: certsDir,
        TEMPORAL_CLI_PATH: cliPath,
      }),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  jestChild = child;
  let tail = '';
  child.stdout?.on('data', (c: Buffer) => {
    process.stdout.write(c);
    tail = (tail + c.toString()).slice(-2000);
  });
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      jestChild = undefined;
      const summary = tail.trim().split('\n').reverse().find((l) => /^\d+ passed, \d+ failed, \d+ skipped$/.test(l.trim())) ?? 'no summary line';
      resolve({ code: code ?? 1, summary: summary.trim() });
    }),
  );
}

let jestChild: ChildProcess | undefined;
let cluster: ClusterStack | undefined;
let workDir: string | undefined;

async function stopAll(): Promise<void> {
  jestChild?.kill('SIGTERM');
  await cluster?.stop();
  cluster = undefined;
}

function writeResults(outcome: { code: number; summary: string }, registered: string[], built: boolean): void {
  const rows = phases.map((p) => `| ${p.name} | ${p.seconds.toFixed(1)} |`).join('\n');
  const total = ((Date.now() - started) / 1000).toFixed(0);
  const text = `# Cluster suite: last recorded run

\`npm run test:cluster -- --record\` on ${new Date().toISOString().slice(0, 10)} (${os.cpus().length} cores, ${os.platform()} ${os.release()}).

- Temporal server ${TEMPORAL_SERVER_VERSION} (built from \`go.temporal.io/server\` with \`go install\`${built ? ' in this run' : ', cached in .tools/'}), PostgreSQL ${POSTGRES_MAJOR}, mTLS on the frontend and between services.
- Search attributes registered by the worker at its first start: ${registered.length ? registered.join(', ') : 'none (already there)'}.
- Jest: **${outcome.summary}** (exit ${outcome.code})${jestArgs.length ? `, arguments \`${jestArgs.join(' ')}\`` : ''}.
- Not run against the cluster: \`test/integration/chaos-quick.test.ts\` (it starts and restarts a dev server of its own).

| phase | seconds |
|---|---|
${rows}
| **total** | **${total}** |
`;
  writeFileSync(path.join(ROOT, 'test', 'cluster-RESULTS.md'), text);
  log('wrote test/cluster-RESULTS.md');
}

async function main(): Promise<number> {
  const tools = await phase('provision (Temporal server, SQL tool, PostgreSQL)', () => provisionClusterTools(log));
  log(`Temporal server ${TEMPORAL_SERVER_VERSION} ${tools.built ? 'built' : 'found'} in ${path.dirname(tools.server)}; PostgreSQL ${POSTGRES_MAJOR} in ${tools.postgresBin}`);
  const cli = provisionTemporalCli(log);
  workDir = mkdtempSync(path.join(os.tmpdir(), 'takedown-cluster-'));
  cluster = await startClusterStack({ tools, workDir, lifetimeSeconds: LIFETIME_SECONDS, log, phase });
  const { server, certs } = cluster;
  const registered = await phase('first worker start (search attributes)', () => firstWorkerStart(server));
  log(registered.length ? `the worker registered ${registered.join(', ')}` : 'the search attributes were already registered');
  await phase('search attributes usable', () => waitForSearchAttributes(server));
  const outcome = await phase('Jest (integration suite + test/cluster)', () => runJest(server, certs.dir, cli.path));
  const logFile = server.logFile;
  await phase('stop', stopAll);
  log(`${outcome.summary}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const p of phases) log(`  ${p.name}: ${p.seconds.toFixed(1)} s`);
  if (record) writeResults(outcome, registered, tools.built);
  if (outcome.code === 0) rmSync(workDir, { recursive: true, force: true });
  else log(`server log kept: ${logFile}`);
  return outcome.code;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the cluster`);
    void stopAll().then(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(`test:cluster failed: ${(err as Error).message}`);
    await stopAll();
    process.exit(1);
  },
);
