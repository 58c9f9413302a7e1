/** Starts and stops a Temporal dev server (`temporal server start-dev`) for the dev stack and the tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import type { TemporalCli } from './temporal-cli';

export interface DevServerOptions {
  cli: TemporalCli;
  /** gRPC port. Default: a free port. */
  port?: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** Persist state to this SQLite file. Default: in memory. */
  dbFilename?: string;
  /** Stop by itself after this many seconds even if nobody stops it. Default: none. */
  lifetimeSeconds?: number;
  /** Extra arguments appended to `start-dev`. */
  extraArgs?: string[];
  /**
   * Run in a process group of its own, so that a Ctrl-C meant for the process that started it
   * does not stop it first: that process stops it, after the workers it serves.
   * @default false
   */
  detached?: boolean;
}

export interface DevServer {
  address: string;
  port: number;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with code ${child.exitCode}: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`temporal dev server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${output()}`);
}

/**
 * Task queue fairness, which the shared queue layout needs (`TAKEDOWN_QUEUE_LAYOUT=shared`, README
 * "Queue layouts"): every dev server of the project runs with it, so either layout works on it.
 */
const FAIRNESS_ARGS = ['--dynamic-config-value', 'matching.enableFairness=true'];

/** The `--search-attribute` arguments that register the takedown search attributes. */
export function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${key.type === 'DATETIME' ? 'Datetime' : 'Keyword'}`]);
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const args = [
    'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port),
    '--http-port', String(await freePort()), '--metrics-port', String(await freePort()),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.dbFilename ? ['--db-filename', options.dbFilename] : []),
    ...searchAttributeArgs(),
    ...FAIRNESS_ARGS,
    '--log-level', 'error',
    ...(options.extraArgs ?? []),
  ];
  const [command, commandArgs] = options.lifetimeSeconds
    ? ['timeout', ['--signal=TERM', String(options.lifetimeSeconds), options.cli.path, ...args]]
    : [options.cli.path, args];
  const child = spawn(command, commandArgs as string[], { stdio: ['ignore', 'ignore', 'pipe'], detached: options.detached ?? false });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  await waitForPort(port, child, 30_000, () => stderr.trim());
  return {
    address: `127.0.0.1:${port}`,
    port,
    uiUrl: options.uiPort ? `http://localhost:${options.uiPort}` : undefined,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
