/**
 * A throwaway PostgreSQL server for the cluster suite: a fresh data directory under the system
 * temp dir, TCP on 127.0.0.1 only (no Unix socket), password authentication, and a bounded
 * lifetime. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user
 * (override: `TAKEDOWN_POSTGRES_USER`).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './dev-server';

export interface PostgresServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  dataDir: string;
  process: ChildProcess;
  /** Fast shutdown (SIGINT: open sessions are cut), then the data directory is removed. */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  bin: string;
  /** Stops by itself after this many seconds even if nobody stops it. */
  lifetimeSeconds: number;
  log?: (line: string) => void;
}

/** The uid/gid to run as when this process is root, else undefined (run as ourselves). */
function runAs(): { user: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = process.env.TAKEDOWN_POSTGRES_USER ?? 'postgres';
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { user, uid, gid };
}

function asUser(user: ReturnType<typeof runAs>, command: string, args: string[]): [string, string[]] {
  // setpriv execs the command itself, so signals reach postgres directly (su/runuser would sit in between).
  return user ? ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', command, ...args]] : [command, args];
}

/** SIGKILL for a `timeout`-wrapped child and everything it started. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

async function waitReady(bin: string, port: number, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}: ${output()}`);
    const ready = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']);
    if (ready.status === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`postgres did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms: ${output()}`);
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const user = runAs();
  const root = mkdtempSync(path.join(os.tmpdir(), 'takedown-pg-'));
  if (user) chownSync(root, user.uid, user.gid);
  const dataDir = path.join(root, 'data');
  const password = randomBytes(18).toString('base64url');
  const pwFile = path.join(root, 'pw');
  writeFileSync(pwFile, password, { mode: 0o600 });
  if (user) chownSync(pwFile, user.uid, user.gid);

  const [initCmd, initArgs] = asUser(user, path.join(options.bin, 'initdb'), [
    '-D', dataDir, '-U', 'temporal', `--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=reject', '-E', 'UTF8', '--no-instructions',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  rmSync(pwFile, { force: true });
  if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}): ${(init.stderr || init.stdout).trim().split('\n').slice(-3).join(' ')}`);

  const port = await freePort();
  const [command, args] = asUser(user, path.join(options.bin, 'postgres'), [
    '-D', dataDir, '-p', String(port),
    '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
    // The suite's data is thrown away: no need to wait for the disk on every commit.
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=100',
  ]);
  // timeout: SIGINT is PostgreSQL's fast shutdown; then SIGKILL 10 s later if it still runs.
  const child = spawn('timeout', ['--signal=INT', '--kill-after=10', String(options.lifetimeSeconds), command, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  await waitReady(options.bin, port, child, () => stderr.trim(), 30_000);
  options.log?.(`PostgreSQL on 127.0.0.1:${port} (data ${dataDir}${user ? `, running as ${user.user}` : ''})`);

  return {
    host: '127.0.0.1',
    port,
    user: 'temporal',
    password,
    dataDir,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(root, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGINT');
        // timeout made itself a process group leader: SIGKILL the group, or postgres would outlive it.
        setTimeout(() => killGroup(child), 15_000).unref();
      }),
  };
}
