/**
 * Agora REST client: Media Gateway ingress (stream keys, online streams) and the Channel
 * Management kicking rule (agora.md §2–§7). HTTP Basic auth and an `X-Request-ID` on every call;
 * the answer's HTTP status read through {@link AGORA_CODES}. Stream keys are credentials: they
 * are URL-encoded into paths but never put in a message, and redacted from quoted answers.
 */
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { ProviderHttp, headerValue, parseJsonBody, parseRetryAfter, parseShape, type HttpResponse } from '../http';
import { answerOutcome } from '../outcome';
import { checkPathSegment, checkText, refuse, type ProviderOperation } from '../request-checks';
import { quoteProviderText, rawAnswer } from '../text';
import type { CallOptions, HttpTimeouts, ProviderResult } from '../types';
import { encodeQuery, pathOf } from '../url';
import { ErrorBody, KickingRuleCreated, KickingRuleList, KickingRuleUpdated, OnlineStream, OnlineStreamList } from './answers';
import { AgoraOperation, classifyAgora } from './codes';
import {
  createRuleBody,
  deleteRuleBody,
  toKickingRuleInfo,
  updateRuleBody,
  type AgoraKickingRule,
  type AgoraKickingRuleInfo,
} from './kicking-rules';
import { AGORA_REGIONS, isAgoraRegion, type Region } from './regions';
import type { AgoraSession } from './session';

/** Agora's global REST host (agora.md §1). */
export const DEFAULT_AGORA_BASE_URL = 'https://api.agora.io';

/** What an `X-Request-ID` may hold: visible ASCII (a UUID, typically), so it is a valid header value. */
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Where the kicking-rule API lives (agora.md §7). */
const KICKING_RULE_PATH = '/dev/v1/kicking-rule';

export interface AgoraClientOptions {
  /**
   * API host.
   * @default {@link DEFAULT_AGORA_BASE_URL}
   */
  baseUrl?: string;
  /** RESTful API customer ID (Basic auth user). */
  customerId: string;
  /** RESTful API customer secret (Basic auth password). Never logged or put in a message. */
  customerSecret: string;
  /** Missing fields take `DEFAULT_HTTP_TIMEOUTS`. Agora suggests ≥ 20 s headers for kicking rules (agora.md §7.5). */
  timeouts?: Partial<HttpTimeouts>;
  /** Sends the requests instead of a pool of our own (tests: a `MockAgent`). Not closed by `close()`. */
  dispatcher?: Dispatcher;
  /**
   * Current time in ms since the Unix epoch, for `Retry-After` dates.
   * @default `Date.now`
   */
  now?: () => number;
}

/** An App ID's Media Gateway in one region: keys and sessions are region-scoped. */
export interface AgoraProjectRef {
  appId: string;
  region: Region;
}

interface AgoraContext extends ProviderOperation {
  provider: 'agora';
  operation: AgoraOperation;
}

interface AgoraRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  /**
   * Sends `Content-Type: application/json` even without a body: agora.md §7 lists it for every
   * kicking-rule call, and §5.3 answers 415 without it; whether a bodiless GET needs it is not said.
   */
  jsonContentType?: boolean;
  /** Values to redact from quoted answers besides the customer secret (the stream key). */
  redact?: readonly string[];
}

/** An HTTP response with the request id to report for it. */
interface AgoraResponse {
  http: HttpResponse;
  requestId: string;
  redact: readonly string[];
}

/** Calls Agora's REST API with one account's credentials. */
export class AgoraClient {
  readonly #http: ProviderHttp;
  readonly #authorization: string;
  readonly #customerSecret: string;
  readonly #now: () => number;

  /** @throws TypeError for an empty customer id or secret (configuration errors). */
  constructor(options: AgoraClientOptions) {
    if (typeof options.customerId !== 'string' || options.customerId === '') {
      throw new TypeError('Agora customerId must not be empty');
    }
    if (typeof options.customerSecret !== 'string' || options.customerSecret === '') {
      throw new TypeError('Agora customerSecret must not be empty');
    }
    this.#authorization = `Basic ${Buffer.from(`${options.customerId}:${options.customerSecret}`, 'utf8').toString('base64')}`;
    this.#customerSecret = options.customerSecret;
    this.#now = options.now ?? Date.now;
    this.#http = new ProviderHttp({
      provider: 'agora',
      baseUrl: options.baseUrl ?? DEFAULT_AGORA_BASE_URL,
      timeouts: options.timeouts,
      dispatcher: options.dispatcher,
    });
  }

  /**
   * DELETE `streamkeys/{key}` (agora.md §4.5): the key can no longer start a push; a push already
   * running goes on until force-disconnected. `already-done` on 404 (key gone).
   */
  async deleteStreamKey(target: AgoraProjectRef & { streamKey: string }, opts: CallOptions = {}): Promise<ProviderResult> {
    const ctx = context(AgoraOperation.deleteStreamKey);
    const key = checkPathSegment(ctx, 'streamKey', target.streamKey);
    const path = this.#ingressPath(ctx, target, 'streamkeys', key);
    const response = await this.#send(ctx, { method: 'DELETE', path, redact: [key] }, opts);
    return this.#result(ctx, response);
  }

  /**
   * GET `online-streams[?channel=]` (agora.md §4.6): live sessions, in one channel when `channel`
   * is given (an empty `channel` is treated as absent: a broader list is safe, a wrong filter is not).
   */
  async listOnlineStreams(
    target: AgoraProjectRef & { channel?: string },
    opts: CallOptions = {},
  ): Promise<ProviderResult & { sessions: AgoraSession[] }> {
    const ctx = context(AgoraOperation.listOnlineStreams);
    let path = this.#ingressPath(ctx, target, 'online-streams');
    if (target.channel !== undefined && checkText(ctx, 'channel', target.channel, true) !== '') {
      path += `?${encodeQuery([['channel', target.channel]])}`;
    }
    const response = await this.#send(ctx, { method: 'GET', path }, opts);
    const result = this.#result(ctx, response);
    if (result.outcome === 'already-done') return { ...result, sessions: [] };
    const { data } = parseShape(this.#answered(ctx, response), OnlineStreamList, parseJsonBody(ctx, response.http));
    return { ...result, sessions: data };
  }

  /**
   * GET `online-streams/{sid}` (agora.md §4.7). A 404 (session ended or unknown) is `already-done`
   * with no `session`.
   */
  async getOnlineStream(
    target: AgoraProjectRef & { sid: string },
    opts: CallOptions = {},
  ): Promise<ProviderResult & { session?: AgoraSession }> {
    const ctx = context(AgoraOperation.getOnlineStream);
    const path = this.#ingressPath(ctx, target, 'online-streams', checkPathSegment(ctx, 'sid', target.sid));
    const response = await this.#send(ctx, { method: 'GET', path }, opts);
    const result = this.#result(ctx, response);
    if (result.outcome === 'already-done') return result;
    const { data } = parseShape(this.#answered(ctx, response), OnlineStream, parseJsonBody(ctx, response.http));
    return { ...result, session: data };
  }

  /**
   * DELETE `online-streams/{sid}` (agora.md §4.8): the 200 means the disconnect command was sent.
   * Delete the stream key first, or the encoder reconnects under a new sid. `already-done` on 404.
   */
  async forceDisconnect(target: AgoraProjectRef & { sid: string }, opts: CallOptions = {}): Promise<ProviderResult> {
    const ctx = context(AgoraOperation.forceDisconnect);
    const path = this.#ingressPath(ctx, target, 'online-streams', checkPathSegment(ctx, 'sid', target.sid));
    const response = await this.#send(ctx, { method: 'DELETE', path }, opts);
    return this.#result(ctx, response);
  }

  /**
   * POST `/dev/v1/kicking-rule` (agora.md §7.1): body `appid`, `cname`, `uid`, `ip`,
   * `time_in_seconds`, `privileges`, absent fields omitted. Not idempotent: a retry after a
   * timeout or 5xx may create a second rule (Agora suggests listing rules first, §7.5).
   */
  async createKickingRule(rule: AgoraKickingRule, opts: CallOptions = {}): Promise<ProviderResult & { ruleId: number }> {
    const ctx = context(AgoraOperation.createKickingRule);
    const body = createRuleBody(ctx, rule);
    const response = await this.#send(ctx, { method: 'POST', path: KICKING_RULE_PATH, body }, opts);
    const result = this.#result(ctx, response);
    const { id } = parseShape(this.#answered(ctx, response), KickingRuleCreated, parseJsonBody(ctx, response.http));
    return { ...result, ruleId: id };
  }

  /**
   * GET `/dev/v1/kicking-rule?appid=` (agora.md §7.2): every rule of the app. Agora serves this
   * read below its writes and warns that it may be incomplete under poor network, so a rule just
   * created may be missing. Use `isKickingRuleFor` to find one subject's rule.
   */
  async listKickingRules(query: { appId: string }, opts: CallOptions = {}): Promise<ProviderResult & { rules: AgoraKickingRuleInfo[] }> {
    const ctx = context(AgoraOperation.listKickingRules);
    const path = `${KICKING_RULE_PATH}?${encodeQuery([['appid', checkText(ctx, 'appid', query.appId)]])}`;
    const response = await this.#send(ctx, { method: 'GET', path, jsonContentType: true }, opts);
    const result = this.#result(ctx, response);
    const { rules } = parseShape(this.#answered(ctx, response), KickingRuleList, parseJsonBody(ctx, response.http));
    return { ...result, rules: rules.map(toKickingRuleInfo) };
  }

  /**
   * PUT `/dev/v1/kicking-rule` (agora.md §7.3): body `appid`, `id`, `time_in_seconds` (10 to
   * 86,430, from now). A 404 (the rule expired or was deleted) is a rejection: create a new rule.
   *
   * @returns `expiresAt`: the rule's new expiry (`result.ts`) as Agora sends it, UTC.
   */
  async updateKickingRule(
    update: { appId: string; ruleId: number; timeInSeconds: number },
    opts: CallOptions = {},
  ): Promise<ProviderResult & { ruleId: number; expiresAt: string }> {
    const ctx = context(AgoraOperation.updateKickingRule);
    const body = updateRuleBody(ctx, update);
    const response = await this.#send(ctx, { method: 'PUT', path: KICKING_RULE_PATH, body }, opts);
    const result = this.#result(ctx, response);
    const answer = parseShape(this.#answered(ctx, response), KickingRuleUpdated, parseJsonBody(ctx, response.http));
    return { ...result, ruleId: answer.result.id, expiresAt: answer.result.ts };
  }

  /**
   * DELETE `/dev/v1/kicking-rule` with a JSON body `appid`, `id` (agora.md §7.4). `already-done`
   * on 404: the rule expired or was deleted before. Any 2xx is `done` whatever its body, as for
   * the other deletes: the status is the answer, and the body only echoes the id.
   */
  async deleteKickingRule(rule: { appId: string; ruleId: number }, opts: CallOptions = {}): Promise<ProviderResult> {
    const ctx = context(AgoraOperation.deleteKickingRule);
    const body = deleteRuleBody(ctx, rule);
    const response = await this.#send(ctx, { method: 'DELETE', path: KICKING_RULE_PATH, body }, opts);
    return this.#result(ctx, response);
  }

  /** Closes the connection pool; calls in flight finish first. */
  close(): Promise<void> {
    return this.#http.close();
  }

  #ingressPath(ctx: AgoraContext, ref: AgoraProjectRef, ...rest: string[]): string {
    if (!isAgoraRegion(ref.region)) refuse(ctx, `region must be one of ${AGORA_REGIONS.join(', ')}`);
    const appId = checkPathSegment(ctx, 'appId', ref.appId);
    return pathOf(ref.region, 'v1', 'projects', appId, 'rtls', 'ingress', ...rest);
  }

  async #send(ctx: AgoraContext, request: AgoraRequest, opts: CallOptions): Promise<AgoraResponse> {
    const sentId = opts.requestId === undefined || opts.requestId === '' ? randomUUID() : opts.requestId;
    if (!REQUEST_ID.test(sentId)) refuse(ctx, 'requestId must be 1 to 128 visible ASCII characters');
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      accept: 'application/json',
      'x-request-id': sentId,
    };
    if (request.body !== undefined || request.jsonContentType === true) headers['content-type'] = 'application/json';
    const http = await this.#http.send({
      operation: ctx.operation,
      method: request.method,
      path: request.path,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: opts.signal,
    });
    // Agora echoes the id (or makes one up) except on 401; fall back to the one we sent.
    const requestId = headerValue(http.headers, 'x-request-id') ?? sentId;
    return { http, requestId, redact: [this.#customerSecret, ...(request.redact ?? [])] };
  }

  /** `done` for 2xx; otherwise the status's row decides (already-done, or an error is thrown). */
  #result(ctx: AgoraContext, { http, requestId, redact }: AgoraResponse): ProviderResult {
    const status = http.status;
    if (status >= 200 && status <= 299) return { outcome: 'done', providerCode: status, requestId };
    const message = ErrorBody.safeParse(tryJson(http.text));
    return answerOutcome(classifyAgora(ctx.operation, status), {
      ...ctx,
      codeLabel: 'HTTP',
      code: status,
      requestId,
      quotedMessage: message.success ? quoteProviderText(message.data.message, redact) : undefined,
      raw: rawAnswer(http.text, redact),
      retryAfterMs: parseRetryAfter(headerValue(http.headers, 'retry-after'), this.#now()),
    });
  }

  #answered(ctx: AgoraContext, response: AgoraResponse) {
    return { ...ctx, providerCode: response.http.status, requestId: response.requestId };
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function context(operation: AgoraOperation): AgoraContext {
  return { provider: 'agora', operation };
}
