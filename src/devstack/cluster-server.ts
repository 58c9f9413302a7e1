/**
 * A Temporal server on PostgreSQL with mTLS, as a real deployment runs it: the schema set up with
 * `temporal-sql-tool`, the server started from its embedded config template (every setting a
 * variable, the same ones docker-compose.yml sets), every service bound to 127.0.0.1 on free
 * ports, a bounded lifetime, and the `default` namespace registered over mTLS once it answers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadTemporalConnection, type TemporalConnectionSettings } from '../connection/settings';
import type { ClusterCerts } from './cluster-certs';
import { killGroup, type PostgresServer } from './cluster-postgres';
import type { ClusterTools } from './cluster-tools';
import { DYNAMIC_CONFIG_FILE, NAMESPACE, POSTGRES_SCHEMA, SERVER_SETTINGS, SERVER_TLS_FILES, WORKER_TLS_FILES } from './cluster-versions';

/**
 * A free port below 32768: the server records its services' ports in a PostgreSQL `smallint`
 * column (cluster membership), so the kernel's ephemeral ports (32768 and up) do not fit.
 */
async function freeMembershipSafePort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port between 20000 and 32000 on 127.0.0.1');
}

export interface ClusterServer {
  /** Frontend gRPC address, `127.0.0.1:<port>`. */
  address: string;
  namespace: string;
  /** The `TEMPORAL_*` variables a worker connects with (mTLS with the worker certificate). */
  workerEnv: Record<string, string>;
  logFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface ClusterServerOptions {
  tools: ClusterTools;
  postgres: PostgresServer;
  certs: ClusterCerts;
  /** Directory for the server's log. */
  workDir: string;
  lifetimeSeconds: number;
  /** @default default ({@link NAMESPACE}) */
  namespace?: string;
  log?: (line: string) => void;
}

/** The server's own services, each with a gRPC and a membership port (template variable prefixes). */
const SERVICES = ['FRONTEND', 'HISTORY', 'MATCHING', 'WORKER'] as const;

/** Everything the embedded config template reads, for a server on this machine. */
export async function clusterServerEnv(postgres: PostgresServer, certs: ClusterCerts): Promise<Record<string, string>> {
  const ports: Record<string, string> = {};
  const taken = new Set<number>();
  for (const service of SERVICES) {
    ports[`${service}_GRPC_PORT`] = String(await freeMembershipSafePort(taken));
    ports[`${service}_MEMBERSHIP_PORT`] = String(await freeMembershipSafePort(taken));
  }
  ports.FRONTEND_HTTP_PORT = String(await freeMembershipSafePort(taken));
  return {
    ...SERVER_SETTINGS,
    POSTGRES_SEEDS: postgres.host,
    DB_PORT: String(postgres.port),
    POSTGRES_USER: postgres.user,
    POSTGRES_PWD: postgres.password,
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    ...ports,
    ...Object.fromEntries(Object.entries(SERVER_TLS_FILES).map(([name, file]) => [name, path.join(certs.dir, file)])),
    DYNAMIC_CONFIG_FILE_PATH: DYNAMIC_CONFIG_FILE,
    LOG_LEVEL: 'warn',
  };
}

/** Creates both databases and applies the module's embedded schemas (what auto-setup used to do). */
export function setupSchema(tools: ClusterTools, postgres: PostgresServer): void {
  for (const { database, schema } of POSTGRES_SCHEMA.databases) {
    const base = ['--plugin', POSTGRES_SCHEMA.plugin, '--ep', postgres.host, '-p', String(postgres.port), '-u', postgres.user, '--db', database];
    for (const command of [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '--schema-name', schema]]) {
      // The password goes through the environment, not the command line other users can read.
      const result = spawnSync(tools.sqlTool, [...base, ...command], { encoding: 'utf8', env: { ...process.env, SQL_PASSWORD: postgres.password } });
      if (result.status !== 0) {
        throw new Error(`temporal-sql-tool ${command[0]} on ${database} failed (exit ${result.status}): ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ')}`);
      }
    }
  }
}

/** The variables a worker on this machine sets to reach the cluster with its client certificate. */
export function clusterWorkerEnv(address: string, certs: ClusterCerts, namespace: string): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    ...Object.fromEntries(Object.entries(WORKER_TLS_FILES).map(([name, file]) => [name, path.join(certs.dir, file)])),
    // The certificate names localhost and 127.0.0.1; a name rather than an IP for SNI.
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  };
}

async function waitUntilServing(settings: TemporalConnectionSettings, child: ChildProcess, logFile: string, timeoutMs: number): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode}; see ${logFile}`);
    try {
      const connection = await Connection.connect({ ...settings.connectionOptions, connectTimeout: '2s' });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (err) {
      last = (err as Error).message;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`temporal server did not answer over mTLS at ${settings.address} within ${timeoutMs} ms (${last}); see ${logFile}`);
}

async function registerNamespace(connection: Connection, namespace: string, timeoutMs: number): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${NAMESPACE.retentionHours}h`) });
  } catch (err) {
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
  // Other services learn of a new namespace from their cache, refreshed every few seconds.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function startClusterServer(options: ClusterServerOptions): Promise<ClusterServer> {
  const namespace = options.namespace ?? NAMESPACE.name;
  const env = await clusterServerEnv(options.postgres, options.certs);
  mkdirSync(options.workDir, { recursive: true });
  const logFile = path.join(options.workDir, 'temporal-server.log');
  const out = createWriteStream(logFile);
  const args = ['--signal=TERM', '--kill-after=20', String(options.lifetimeSeconds), options.tools.server, 'start'];
  const child = spawn('timeout', args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);

  const address = `127.0.0.1:${env.FRONTEND_GRPC_PORT}`;
  const workerEnv = clusterWorkerEnv(address, options.certs, namespace);
  const settings = loadTemporalConnection(workerEnv);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => killGroup(child), 30_000).unref();
    });
  try {
    const connection = await waitUntilServing(settings, child, logFile, 120_000);
    try {
      await registerNamespace(connection, namespace, 60_000);
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  options.log?.(`Temporal server ${address} (mTLS, PostgreSQL 127.0.0.1:${options.postgres.port}, namespace ${namespace}, log ${logFile})`);
  return { address, namespace, workerEnv, logFile, process: child, stop };
}
