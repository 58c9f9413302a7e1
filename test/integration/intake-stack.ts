/**
 * The takedown stack of test/harness/stack.ts (dev server, sandbox, real worker) plus a real
 * intake on 127.0.0.1, with test senders that sign the way the senders' docs say.
 */
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { request as httpRequest } from 'undici';
import { Intake } from '../../src/intake/intake';
import { silentLogger } from '../../src/intake/logging';
import { createMetrics, type IntakeMetrics } from '../../src/intake/metrics';
import { parsePolicy } from '../../src/intake/policy';
import { createIntakeServer } from '../../src/intake/server';
import { type IntakeTemporal, connectTemporal } from '../../src/intake/temporal';
import { testConnection } from '../harness/temporal';
import { startStack, type Stack, type StackOptions } from '../harness/stack';
import { activeFenceWebhook, hiveCallback, newWebhookSecret, signedDecision, zegoCensorResult } from '../unit/intake/senders';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: string; code?: string; problems?: string[]; workflowId?: string; runId?: string; started?: boolean; action?: string; dryRun?: boolean; rule?: number | null };
}

export interface IntakeStack {
  stack: Stack;
  url: string;
  metrics: IntakeMetrics;
  secrets: { decisionsSecret: string; zegoCallbackSecret: string; activefenceApiKey: string; hiveToken: string };
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<Answer>;
  /** A decision signed with the intake's key (or `secret`); the same `id` on every retry. */
  decision(request: unknown, options?: { id?: string; secret?: string; timestampSeconds?: number }): Promise<Answer>;
  zego(fields: Parameters<typeof zegoCensorResult>[1], options?: { secret?: string }): Promise<Answer>;
  activefence(fields: Parameters<typeof activeFenceWebhook>[0], options?: { apiKey?: string }): Promise<Answer>;
  hive(fields: Parameters<typeof hiveCallback>[0], options?: { token?: string }): Promise<Answer>;
  /** How many runs the workflow id has had (visibility; polls until it settles on `expected` when given). */
  runsOf(workflowId: string): Promise<number>;
  teardown(): Promise<void>;
}

export interface IntakeStackOptions {
  policy?: unknown;
  stack?: StackOptions;
  /** Temporal address the intake uses; default the run's dev server. */
  temporalAddress?: string;
  temporalBudgetMs?: number;
}

export async function startIntakeStack(options: IntakeStackOptions = {}): Promise<IntakeStack> {
  const stack = await startStack(options.stack);
  const secrets = {
    decisionsSecret: newWebhookSecret(),
    zegoCallbackSecret: 'zego-callback-secret-for-tests',
    activefenceApiKey: 'activefence-api-key-for-tests',
    hiveToken: 'hive-token-for-tests-0123456789',
  };
  // The run's server as the tests reach it (plaintext dev server, or the cluster's mTLS); a relay keeps its TLS settings.
  const run = testConnection();
  const address = options.temporalAddress ?? run.address;
  const temporal: IntakeTemporal = connectTemporal({ temporal: { ...run, address, connectionOptions: { ...run.connectionOptions, address } } });
  const metrics = createMetrics();
  const intake = new Intake({
    client: temporal.client,
    connection: temporal.connection,
    taskQueue: stack.config.taskQueue,
    policy: options.policy === undefined ? undefined : parsePolicy(options.policy),
    logger: silentLogger,
    metrics,
    ...(options.temporalBudgetMs ? { temporalBudgetMs: options.temporalBudgetMs } : {}),
  });
  const app: FastifyInstance = createIntakeServer({ config: secrets, intake, logger: silentLogger, metrics });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });

  const post = async (path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await httpRequest(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : {} };
  };

  return {
    stack,
    url,
    metrics,
    secrets,
    post,
    decision: (request, o = {}) => {
      const signed = signedDecision(o.secret ?? secrets.decisionsSecret, request, { ...(o.id ? { id: o.id } : {}), ...(o.timestampSeconds ? { timestampSeconds: o.timestampSeconds } : {}) });
      return post('/v1/decisions', signed.body, signed.headers);
    },
    zego: (fields, o = {}) => post('/zego/censor', JSON.stringify(zegoCensorResult(o.secret ?? secrets.zegoCallbackSecret, fields))),
    activefence: (fields, o = {}) => post('/activefence', JSON.stringify(activeFenceWebhook(fields)), { 'x-api-key': o.apiKey ?? secrets.activefenceApiKey }),
    hive: (fields, o = {}) => post(`/hive/${o.token ?? secrets.hiveToken}`, JSON.stringify(hiveCallback(fields))),
    async runsOf(workflowId) {
      let runs = 0;
      for await (const _ of stack.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs++;
      return runs;
    },
    async teardown() {
      await app.close();
      await temporal.close();
      await stack.teardown();
    },
  };
}

/**
 * A TCP relay to Temporal that can be taken down and brought back on the same port: "Temporal
 * unreachable" as the intake sees it, without stopping the run's dev server.
 */
export class TemporalRelay {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and cuts every open connection. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
