/**
 * The one place provider requests are sent. It owns a keep-alive undici `Pool` per base URL,
 * applies the {@link HttpTimeouts}, passes the call's `AbortSignal` to undici, and turns every way
 * a request can fail without an answer into {@link ProviderTransportError}. It knows nothing of
 * codes or credentials: the clients read the answer.
 */
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { ProviderError, ProviderRequestError, ProviderResponseError, ProviderTransportError } from './errors';
import type { ProviderOperation } from './request-checks';
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts, type ProviderName } from './types';

/** Largest answer body read: 1 MiB. Provider answers are a few KiB; more is not an answer we know. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export interface ProviderHttpOptions {
  provider: ProviderName;
  /** `http(s)://host[:port][/base/path]`; no query or fragment. */
  baseUrl: string;
  /** Missing fields take {@link DEFAULT_HTTP_TIMEOUTS}. */
  timeouts?: Partial<HttpTimeouts>;
  /**
   * Sends the requests instead of a `Pool` of our own (tests pass a `MockAgent`). The caller owns
   * it: `close()` leaves it open.
   */
  dispatcher?: Dispatcher;
}

/** One request. */
export interface HttpCall {
  /** Provider operation, for messages (`DeleteStream`, `DeleteStreamKey`...). */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, encoded, appended to the base URL's path. Never put in a message. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Aborting it aborts the request; the abort reason is rethrown unchanged. */
  signal?: AbortSignal;
}

/** A complete answer: any status, body read in full. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}


/**
 * What each undici or socket failure is called in messages. Every code not listed here is still
 * a transport failure; the list only gives it a readable name.
 */
const TRANSPORT_FAILURES: Readonly<Record<string, string>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_HEADERS_TIMEOUT: 'headers timeout',
  UND_ERR_BODY_TIMEOUT: 'body timeout',
  UND_ERR_SOCKET: 'socket error',
  UND_ERR_ABORTED: 'request aborted',
  UND_ERR_CLOSED: 'client closed',
  UND_ERR_DESTROYED: 'client destroyed',
  UND_ERR_INFO: 'connection failure',
  UND_ERR_HEADERS_OVERFLOW: 'answer headers too large',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'answer shorter or longer than its content-length',
  HPE_INVALID_CONSTANT: 'malformed HTTP answer',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/**
 * undici failures that mean the request itself is malformed (an invalid header value, say):
 * sending it again would fail again, so they are request errors, not transport errors.
 */
const REQUEST_FAILURES: Readonly<Record<string, string>> = {
  UND_ERR_INVALID_ARG: 'invalid request argument',
  UND_ERR_NOT_SUPPORTED: 'unsupported request',
};

/** Fills missing fields from {@link DEFAULT_HTTP_TIMEOUTS}; each must be a positive number of ms. */
export function resolveTimeouts(timeouts: Partial<HttpTimeouts> = {}): HttpTimeouts {
  const resolved = {
    connectMs: timeouts.connectMs ?? DEFAULT_HTTP_TIMEOUTS.connectMs,
    headersMs: timeouts.headersMs ?? DEFAULT_HTTP_TIMEOUTS.headersMs,
    bodyMs: timeouts.bodyMs ?? DEFAULT_HTTP_TIMEOUTS.bodyMs,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`HTTP timeout ${name} must be a positive number of ms`);
  }
  return resolved;
}

/** Sends provider requests over one keep-alive connection pool. */
export class ProviderHttp {
  readonly provider: ProviderName;
  readonly timeouts: HttpTimeouts;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  #closing?: Promise<void>;

  constructor(options: ProviderHttpOptions) {
    const base = parseBaseUrl(options.baseUrl);
    this.provider = options.provider;
    this.timeouts = resolveTimeouts(options.timeouts);
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Pool(base.origin, {
        connect: { timeout: this.timeouts.connectMs },
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
      });
  }

  /**
   * Sends one request and reads the whole answer, whatever its status.
   *
   * Besides undici's own timeouts (which a `MockAgent` or custom dispatcher may not enforce), a
   * deadline of `connectMs + headersMs` runs until the headers arrive and one of `bodyMs` between
   * body chunks; either aborts the request as an undici timeout error would.
   *
   * @throws the `signal`'s abort reason, unchanged, when the caller aborted: a cancelled activity
   *   must stay cancelled, not turn into a retryable transport failure.
   * @throws {@link ProviderTransportError} when no complete answer arrived.
   * @throws {@link ProviderRequestError} when undici refused the request as malformed.
   * @throws {@link ProviderResponseError} when the answer exceeds {@link MAX_ANSWER_BYTES}.
   */
  async send(call: HttpCall): Promise<HttpResponse> {
    const ctx: ProviderOperation = { provider: this.provider, operation: call.operation };
    // Not every dispatcher checks the signal before sending (MockAgent does not): check it here.
    call.signal?.throwIfAborted();
    const deadline = new Deadline();
    const signal = call.signal === undefined ? deadline.signal : AbortSignal.any([call.signal, deadline.signal]);
    deadline.arm(() => new undiciErrors.HeadersTimeoutError(), this.timeouts.connectMs + this.timeouts.headersMs);
    try {
      const response = await this.#dispatcher.request({
        origin: this.#origin,
        path: this.#basePath + call.path,
        method: call.method,
        headers: call.headers,
        body: call.body,
        signal,
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
      });
      const text = await readBody(ctx, response.body, deadline, this.timeouts.bodyMs);
      return { status: response.statusCode, headers: response.headers, text };
    } catch (err) {
      if (call.signal?.aborted === true) throw err;
      throw asProviderError(ctx, err);
    } finally {
      deadline.disarm();
    }
  }

  /** Closes the pool (waiting for requests in flight); an injected dispatcher is left open. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#ownsDispatcher ? this.#dispatcher.close() : Promise.resolve();
    return this.#closing;
  }
}

/** Parses an answer body as JSON; a body that is not JSON is a {@link ProviderResponseError}. */
export function parseJsonBody(ctx: ProviderOperation, answer: HttpResponse): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw new ProviderResponseError(
      `${ctx.provider} ${ctx.operation} answered a body that is not JSON (HTTP ${answer.status})`,
      ctx,
    );
  }
}

/**
 * Validates a parsed answer with zod. On failure, throws {@link ProviderResponseError}
 * `<provider> <operation> answered an unexpected shape: Code: expected number`, naming up to three
 * field paths and never the values found there.
 */
export function parseShape<S extends z.ZodType>(ctx: ProviderOperation, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((issue) => `${fieldPath(issue.path)}: ${issueText(issue)}`);
  throw new ProviderResponseError(
    `${ctx.provider} ${ctx.operation} answered an unexpected shape: ${problems.join('; ')}`,
    ctx,
  );
}

/** The first value of a response header, lower-case name. */
export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3) into milliseconds from `nowMs`: delay-seconds, or an
 * HTTP date (IMF-fixdate or RFC 850, both in GMT; a past date gives 0). Absent or invalid → `undefined`.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : undefined;
  }
  // Date.parse accepts far more than HTTP dates; asctime dates (no zone) would be read as local time.
  if (!/^[A-Za-z]{3,9}, .* GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError('provider base URL is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('provider base URL must be http(s)');
  if (url.search !== '' || url.hash !== '') throw new TypeError('provider base URL must not have a query or fragment');
  if (url.username !== '' || url.password !== '') throw new TypeError('provider base URL must not carry credentials');
  return url;
}

async function readBody(ctx: ProviderOperation, body: Dispatcher.ResponseData['body'], deadline: Deadline, bodyMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  deadline.arm(() => new undiciErrors.BodyTimeoutError(), bodyMs);
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      deadline.arm(() => new undiciErrors.BodyTimeoutError(), bodyMs);
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) {
        throw new ProviderResponseError(`${ctx.provider} ${ctx.operation} answered more than ${MAX_ANSWER_BYTES} bytes`, ctx);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    body.destroy();
    throw err;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function asProviderError(ctx: ProviderOperation, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const code = errorCode(err);
  const known = code === undefined ? undefined : REQUEST_FAILURES[code];
  const suffix = code === undefined ? '' : ` (${code})`;
  if (known !== undefined) {
    return new ProviderRequestError(`${ctx.provider} ${ctx.operation} refused by the HTTP client: ${known}${suffix}`, {
      ...ctx,
      cause: err,
    });
  }
  const failure = (code === undefined ? undefined : TRANSPORT_FAILURES[code]) ?? 'transport failure';
  return new ProviderTransportError(`${ctx.provider} ${ctx.operation} failed in transport: ${failure}${suffix}`, {
    ...ctx,
    cause: err,
  });
}

/** The error's `code` when it is a plain token; anything else could carry text we must not log. */
function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : undefined;
}

function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(body)';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      return index === 0 ? String(segment) : `.${String(segment)}`;
    })
    .join('');
}

function issueText(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.message;
}

/** A restartable timer that aborts a signal with a reason built when it fires. */
class Deadline {
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  arm(reason: () => Error, ms: number): void {
    this.disarm();
    this.#timer = setTimeout(() => this.#controller.abort(reason()), ms);
  }

  disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
