/**
 * Hand-written provider requests for the sandbox tests: ZEGO signing and Agora Basic auth are done
 * here with node:crypto on purpose, independently of both the sandbox and src/providers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { retryUntil } from '../../../harness/retry';

export interface ZegoBody {
  Code: number;
  Message: string;
  RequestId: string;
  Data?: unknown;
}

export interface ZegoCall {
  appId: number | string;
  secret: string;
  action?: string;
  /** Business parameters, already encoded as they should go on the wire, e.g. `RoomId=r&UserId%5B%5D=a`. */
  query?: string;
  /** Unix seconds signed and sent; default: the real clock. */
  timestamp?: number | string;
  nonce?: string;
  /** Common parameters to leave out. */
  omit?: string[];
  /** Common parameters to send as given instead (after signing). */
  override?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: string;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** Encodes a record as a query string, repeating array values under the same name. */
export function form(fields: Record<string, string | string[]>): string {
  return Object.entries(fields)
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`))
    .join('&');
}

/** The full path and query of a signed ZEGO call. */
export function zegoPath(call: ZegoCall): string {
  const nonce = call.nonce ?? randomBytes(8).toString('hex');
  const timestamp = String(call.timestamp ?? Math.floor(Date.now() / 1000));
  const common: Record<string, string> = {
    Action: call.action ?? 'DescribeSimpleStreamList',
    AppId: String(call.appId),
    SignatureNonce: nonce,
    Timestamp: timestamp,
    Signature: md5Hex(`${call.appId}${nonce}${call.secret}${timestamp}`),
    SignatureVersion: '2.0',
    ...call.override,
  };
  for (const name of call.omit ?? []) delete common[name];
  const query = [form(common), call.query ?? ''].filter((part) => part !== '').join('&');
  return `/?${query}`;
}

export async function zego(baseUrl: string, call: ZegoCall): Promise<{ status: number; body: ZegoBody }> {
  const response = await request(`${baseUrl}${zegoPath(call)}`, {
    method: call.method ?? (call.body === undefined ? 'GET' : 'POST'),
    headers: call.body === undefined ? {} : { 'content-type': 'application/json' },
    body: call.body,
  });
  return { status: response.statusCode, body: (await response.body.json()) as ZegoBody };
}

export function basicAuth(customerId: string, customerSecret: string, scheme = 'Basic'): string {
  return `${scheme} ${Buffer.from(`${customerId}:${customerSecret}`).toString('base64')}`;
}

export interface AgoraAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export async function agora(
  baseUrl: string,
  method: 'GET' | 'POST' | 'DELETE' | 'PUT',
  path: string,
  options: { authorization?: string | null; headers?: Record<string, string>; body?: string } = {},
): Promise<AgoraAnswer> {
  const authorization = options.authorization === undefined ? basicAuth('demo-customer', 'demo-secret') : options.authorization;
  const response = await request(`${baseUrl}${path}`, {
    method,
    headers: { ...(authorization === null ? {} : { authorization }), ...options.headers },
    body: options.body,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Same clock as the sandbox's request log, so a test can bracket the times it records. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Retries `check` until it stops throwing, for at most `timeoutMs`: a bounded wait, not a blind sleep. */
export function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  return retryUntil(check, { timeoutMs, intervalMs: 10 });
}

/**
 * Checks fixed-window limiting from the log alone, whatever the timing: in every window, exactly
 * min(limit, arrivals) requests were admitted.
 */
export function expectWindowsRespected(arrivals: { at: number; throttled: boolean }[], limit: number, windowMs = 1000): void {
  const windows = new Map<number, { arrived: number; admitted: number }>();
  for (const { at, throttled } of arrivals) {
    const window = Math.floor(at / windowMs);
    const counts = windows.get(window) ?? { arrived: 0, admitted: 0 };
    counts.arrived += 1;
    if (!throttled) counts.admitted += 1;
    windows.set(window, counts);
  }
  for (const counts of windows.values()) expect(counts.admitted).toBe(Math.min(limit, counts.arrived));
}

/** Sends bursts of `size` concurrent requests until one is throttled (at most 20 bursts). */
export async function burstUntilThrottled(size: number, send: () => Promise<boolean>): Promise<void> {
  for (let burst = 0; burst < 20; burst += 1) {
    const throttled = await Promise.all(Array.from({ length: size }, send));
    if (throttled.includes(true)) return;
  }
  throw new Error('no request was throttled in 20 bursts');
}
