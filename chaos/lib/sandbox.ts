/**
 * The provider sandbox, in this process so that it outlives every worker kill and dev-server
 * restart (the harness stack starts and stops it). It is the sandbox of `src/sandbox` (same core
 * and HTTP listener as `startSandbox`), with two additions the chaos run needs and the control API
 * does not offer:
 * - a fault *policy*, asked for every provider request that has no queued fault, so faults can be
 *   random per request (30 % 5xx…) or time-based (an outage), without resetting provider state;
 * - a copy of every answer body the sandbox wrote, for the secrets grep.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxControl } from '../../src/sandbox/control-client';
import type { FaultAnswer } from '../../src/sandbox/control-schemas';
import { SandboxCore } from '../../src/sandbox/core';
import type { Provider } from '../../src/sandbox/operations';
import { sandboxListener } from '../../src/sandbox/server';

/** Decides the answer of one provider request: a fault, or `undefined` to let the sandbox answer. */
export type FaultPolicy = (provider: Provider, operation: string) => FaultAnswer | undefined;

export interface ChaosSandboxOptions {
  zegoApp: { appId: number; serverSecret: string };
  agoraAccount: { customerId: string; customerSecret: string };
  encoderReconnectDelayMs: number;
}

/** Captured answer bodies are capped so a long run cannot grow without bound. */
const MAX_CAPTURED_BYTES = 64 * 1024 * 1024;

export class ChaosSandbox {
  readonly control: SandboxControl;
  /** Every provider answer body written, and the URLs asked, in order (bounded). */
  readonly captured: string[] = [];
  private capturedBytes = 0;
  private policy?: FaultPolicy;

  private constructor(
    readonly url: string,
    private readonly core: SandboxCore,
    private readonly closeServer: () => Promise<void>,
  ) {
    this.control = new SandboxControl(url);
  }

  static async start(options: ChaosSandboxOptions): Promise<ChaosSandbox> {
    const core = new SandboxCore({
      zegoApps: [options.zegoApp],
      agoraAccounts: [options.agoraAccount],
      latencyMs: 0,
      encoderReconnectDelayMs: options.encoderReconnectDelayMs,
      rateLimits: {},
      now: Date.now,
    });
    const closing = new AbortController();
    const listener = sandboxListener(core, closing.signal);
    // The server exists before the object that captures its traffic; the holder bridges the two.
    const holder: { sandbox?: ChaosSandbox } = {};
    const server = createServer((req, res) => {
      holder.sandbox?.capture(req, res);
      listener(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const close = () =>
      new Promise<void>((resolve) => {
        closing.abort();
        core.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    const sandbox = new ChaosSandbox(`http://127.0.0.1:${port}`, core, close);
    holder.sandbox = sandbox;
    sandbox.installPolicyHook();
    return sandbox;
  }

  /** Replaces the fault policy; `undefined` makes the providers healthy again. */
  setPolicy(policy: FaultPolicy | undefined): void {
    this.policy = policy;
  }

  private closed?: Promise<void>;
  close(): Promise<void> {
    this.closed ??= this.closeServer();
    return this.closed;
  }

  /** Queued faults (control API) come first; the policy answers the rest. */
  private installPolicyHook(): void {
    const faults = this.core.faults;
    const take = faults.take.bind(faults);
    faults.take = (provider, operation) => take(provider, operation) ?? this.policy?.(provider, operation);
  }

  private capture(req: IncomingMessage, res: ServerResponse): void {
    if (req.url?.startsWith('/_sandbox/')) return;
    this.keep(`${req.method} ${req.url}`);
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    (res as { end: (...args: unknown[]) => ServerResponse }).end = (...args: unknown[]) => {
      const [chunk] = args;
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) this.keep(chunk.toString());
      return end(...args);
    };
  }

  private keep(text: string): void {
    if (this.capturedBytes + text.length > MAX_CAPTURED_BYTES) return;
    this.capturedBytes += text.length;
    this.captured.push(text);
  }
}
