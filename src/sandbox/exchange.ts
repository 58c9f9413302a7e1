/** One provider request in flight, the answer a handler computes for it, and how faults replace that answer. */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultAnswer, SandboxRequest } from './control-schemas';
import { faultName } from './faults';

/** One provider request in flight. */
export interface Exchange {
  /** Log entry, completed in place by the handler (operation, params, code…) and by the server (status, times). */
  entry: SandboxRequest;
  method: string;
  path: string;
  /** Query string as received, without `?`, still percent-encoded. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP answer, computed before it is held for latency and written. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A handler's verdict: what to send (or drop the socket), and extra delay from a latency fault. */
export interface Outcome {
  answer: Answer | 'drop';
  extraDelayMs: number;
}

/** Faults that replace the answer rather than delay it. */
export type ReplacingFault = Exclude<FaultAnswer, { latencyMs: number } | { drop: true }>;

/**
 * Runs the operation, or lets an injected fault stand in for it. A fault replaces the answer and,
 * unless `afterEffect` is set, the operation does not happen: the request was lost or refused on
 * the way in. With `afterEffect` the operation happens and only the answer is lost or replaced,
 * which is the case that tests a client's idempotency.
 */
export function runWithFault(
  fault: FaultAnswer | undefined,
  entry: SandboxRequest,
  run: () => Answer,
  renderFault: (fault: ReplacingFault) => Answer,
): Outcome {
  if (fault === undefined) return { answer: run(), extraDelayMs: 0 };
  entry.fault = faultName(fault);
  if ('latencyMs' in fault) return { answer: run(), extraDelayMs: fault.latencyMs };
  if (fault.afterEffect === true) run();
  delete entry.code;
  if ('drop' in fault) return { answer: 'drop', extraDelayMs: 0 };
  return { answer: renderFault(fault), extraDelayMs: 0 };
}

/** A `Retry-After` header when there is a delay to announce. */
export function retryAfterHeader(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
}

/** A JSON answer with the given status and extra headers. */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}
