/**
 * A whole throwaway cluster in one call, shared by the cluster suite (`npm run test:cluster`) and
 * the benchmark's cluster column: certificates, PostgreSQL with the server's schemas, and the
 * Temporal server with mTLS; and the wait until workflows may be started with the takedown's
 * search attributes (each service caches them for up to a minute after a worker registers them).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { SearchAttributePair, SearchAttributeType } from '@temporalio/common';
import { connectClient } from '../connection/connect';
import { loadTemporalConnection } from '../connection/settings';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { makeClusterCerts, type ClusterCerts } from './cluster-certs';
import { startPostgres, type PostgresServer } from './cluster-postgres';
import { setupSchema, startClusterServer, type ClusterServer } from './cluster-server';
import type { ClusterTools } from './cluster-tools';

/** Runs one start-up step; the suite passes one that times each step for its results file. */
export type ClusterPhase = <T>(name: string, run: () => T | Promise<T>) => Promise<T>;

export interface ClusterStackOptions {
  tools: ClusterTools;
  /** Certificates in `<workDir>/certs`, the server's log in `workDir`. */
  workDir: string;
  /** PostgreSQL stops by itself after this many seconds, the server 30 s before it. */
  lifetimeSeconds: number;
  /** Also make the untrusted CA and its client certificate (negative tests). @default true */
  rogue?: boolean;
  log?: (line: string) => void;
  /** @default runs the step untimed */
  phase?: ClusterPhase;
}

export interface ClusterStack {
  certs: ClusterCerts;
  postgres: PostgresServer;
  server: ClusterServer;
  /** Server, then PostgreSQL; safe to call twice. */
  stop(): Promise<void>;
}

/** The phase names of {@link startClusterStack}, as the suite's results file lists them. */
export const CLUSTER_PHASES = {
  certs: 'certificates (openssl)',
  postgres: 'PostgreSQL (initdb, start)',
  schema: 'schema (temporal-sql-tool)',
  server: 'Temporal server (start, namespace)',
} as const;

/** Starts PostgreSQL and the server with mTLS; on any failure stops what already started. */
export async function startClusterStack(options: ClusterStackOptions): Promise<ClusterStack> {
  const phase: ClusterPhase = options.phase ?? (async (_name, run) => run());
  const { tools, workDir, lifetimeSeconds, log } = options;
  let postgres: PostgresServer | undefined;
  let server: ClusterServer | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await server?.stop();
      await postgres?.stop();
    })();
    return stopped;
  };
  try {
    const certs = await phase(CLUSTER_PHASES.certs, () => makeClusterCerts(path.join(workDir, 'certs'), { rogue: options.rogue ?? true }));
    postgres = await phase(CLUSTER_PHASES.postgres, () => startPostgres({ bin: tools.postgresBin, lifetimeSeconds, log }));
    await phase(CLUSTER_PHASES.schema, () => setupSchema(tools, postgres!));
    server = await phase(CLUSTER_PHASES.server, () => startClusterServer({ tools, postgres: postgres!, certs, workDir, lifetimeSeconds: lifetimeSeconds - 30, log }));
    return { certs, postgres, server, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A value of each search attribute type, for the probe workflow. */
const PROBE_VALUES: Record<SearchAttributeType, unknown> = {
  TEXT: 'probe',
  KEYWORD: 'probe',
  INT: 1,
  DOUBLE: 1.5,
  BOOL: true,
  DATETIME: new Date(),
  KEYWORD_LIST: ['probe'],
};

/**
 * Waits until a workflow may be started with the takedown's search attributes, by starting (and
 * terminating) a probe workflow that sets each of them until the server accepts it.
 *
 * @default timeoutMs 120000
 */
export async function waitForSearchAttributes(server: Pick<ClusterServer, 'workerEnv'>, timeoutMs = 120_000): Promise<void> {
  const settings = loadTemporalConnection(server.workerEnv);
  const connection = await connectClient(settings);
  const client = new Client({ connection, namespace: settings.namespace });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        const handle = await client.workflow.start('cluster-probe', {
          taskQueue: `cluster-probe-${randomUUID()}`,
          workflowId: `cluster-probe-${randomUUID()}`,
          typedSearchAttributes: SEARCH_ATTRIBUTES.map((key) => ({ key, value: PROBE_VALUES[key.type] }) as SearchAttributePair),
        });
        await handle.terminate('search attribute probe');
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    await connection.close();
  }
}
