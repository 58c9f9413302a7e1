/**
 * The provider sandbox: a local HTTP server that behaves like the ZEGO and Agora server APIs
 * (state, signatures, codes, rate limits, an encoder that reconnects, fault injection), with a
 * control API under `/_sandbox/`. It shares no code with the provider clients it tests.
 */
import { setMaxListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxControl } from './control-client';
import { SandboxCore } from './core';
import { DEMO_AGORA_ACCOUNT, DEMO_ZEGO_APP } from './demo-accounts';
import type { RuleCaps } from './rule-caps';
import { sandboxListener } from './server';

export { SandboxControl, SandboxControlError } from './control-client';
export type { SandboxTunables } from './control-client';
export type * from './control-schemas';
export { DEFAULT_RATE_LIMITS } from './rate-limits';
export { DEFAULT_REJOIN_POLICY } from './rejoin';
export type { RejoinPolicy } from './rejoin';
export { DEFAULT_RULE_CAPS } from './rule-caps';
export type { RuleCaps } from './rule-caps';
export { maxArrivalsInAnyWindow } from './request-log';
export { DEMO_AGORA_ACCOUNT, DEMO_AGORA_APP_ID, DEMO_ZEGO_APP } from './demo-accounts';

/** How to start a sandbox; every field is optional. */
export interface SandboxOptions {
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Added to every provider answer. Default 0. */
  latencyMs?: number;
  /** ZEGO apps accepted, with their ServerSecret. Default: {@link DEMO_ZEGO_APP}. */
  zegoApps?: { appId: number; serverSecret: string; isTest?: boolean }[];
  /** Agora RESTful API accounts accepted. Default: {@link DEMO_AGORA_ACCOUNT}. */
  agoraAccounts?: { customerId: string; customerSecret: string }[];
  /** Override documented per-app rate limits (requests per 1 s fixed window), keyed by bucket name e.g. 'zego.DeleteStream', 'agora.delete'. `Infinity` lifts a limit. */
  rateLimits?: Partial<Record<string, number>>;
  /** How long an encoder waits before reconnecting after a forced disconnect. Default 100. */
  encoderReconnectDelayMs?: number;
  /** Bounds on one ban rule's length, to run bans in seconds. Default: {@link DEFAULT_RULE_CAPS}, the documented ones. */
  ruleCaps?: Partial<RuleCaps>;
  /** Clock for signature checks (and the provider timestamps it reports). Default `Date.now`. */
  now?: () => number;
}

/** A running sandbox. */
export interface Sandbox {
  /** e.g. `http://127.0.0.1:54321`: the ZEGO API and the Agora API base at once. */
  url: string;
  port: number;
  control: SandboxControl;
  /** Stops listening, cuts open connections and cancels pending encoder reconnects. */
  close(): Promise<void>;
}

/** Starts a sandbox; throws on a bad option (unknown rate-limit bucket, negative delay, bad rule cap) or a busy port. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const core = new SandboxCore({
    zegoApps: options.zegoApps ?? [DEMO_ZEGO_APP],
    agoraAccounts: options.agoraAccounts ?? [DEMO_AGORA_ACCOUNT],
    latencyMs: options.latencyMs ?? 0,
    encoderReconnectDelayMs: options.encoderReconnectDelayMs ?? 100,
    rateLimits: options.rateLimits ?? {},
    ruleCaps: options.ruleCaps ?? {},
    now: options.now ?? Date.now,
  });
  const closing = new AbortController();
  // Every answer held for latency listens on it: hundreds at once under load is expected.
  setMaxListeners(0, closing.signal);
  const server = createServer(sandboxListener(core, closing.signal));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing.abort();
      core.close();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return { url, port, control: new SandboxControl(url), close };
}
