/** Test helpers for the provider clients: a closed-network MockAgent and ways to look at what was sent. */
import { MockAgent } from 'undici';
import { ProviderError } from '../../../src/providers/errors';

export const ZEGO_ORIGIN = 'https://rtc-api.zego.im';
export const AGORA_ORIGIN = 'https://api.agora.io';

/** A MockAgent that fails any request no interceptor matches (no real network). */
export function mockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

/** A request as the dispatcher received it, from a reply callback (undici's `MockResponseCallbackOptions`). */
export interface Sent {
  path: string;
  method: string;
  headers?: unknown;
  body?: unknown;
}

/** The query of a sent path, decoded. */
export function queryOf(path: string): URLSearchParams {
  return new URL(path, 'http://x').searchParams;
}

/** Matches a ZEGO request by its `Action` (MockAgent hands matchers a normalised path). */
export function zegoAction(action: string): (path: string) => boolean {
  return (path) => queryOf(path).get('Action') === action;
}

/** The header of a sent request, whatever form the headers were passed in. */
export function sentHeader(sent: Sent, name: string): string | undefined {
  const headers = sent.headers as Record<string, string | string[] | undefined> | undefined;
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Awaits a promise that must reject and returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

/** Awaits a promise that must reject with a ProviderError and returns it. */
export async function providerErrorOf(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await rejectionOf(promise);
  if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

/** Asserts that none of `secrets` appears in the error's message, its `raw`, or its string form. */
export function expectNoSecrets(err: unknown, secrets: readonly string[]): void {
  const e = err as { message?: unknown; raw?: unknown };
  const texts = [String(e.message), String(e.raw ?? ''), String(err)];
  for (const secret of secrets) {
    for (const text of texts) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
    }
  }
}
