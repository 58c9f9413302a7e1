/**
 * ZEGO Server API v2 client (zego.md §1, §4): one signed request per call, the answer's `Code`
 * read through {@link ZEGO_CODES}. Retrying is the caller's job (Temporal activity retries); a
 * retry is a new call, so it gets a new nonce, timestamp and signature.
 */
import type { Dispatcher } from 'undici';
import { ProviderRetryableError, ProviderUnknownAnswerError } from '../errors';
import { ProviderHttp, parseJsonBody, parseShape, type HttpResponse } from '../http';
import { answerOutcome } from '../outcome';
import { checkText, refuse, type ProviderOperation } from '../request-checks';
import { quoteProviderText, rawAnswer } from '../text';
import type { CallOptions, HttpTimeouts, ProviderResult } from '../types';
import { encodeQuery, type QueryParam } from '../url';
import { ZegoEnvelope, ZegoForbidUserRuleList, ZegoForbidUserRuleSet, ZegoStreamListAnswer } from './answers';
import { classifyZego, ZegoOperation } from './codes';
import {
  checkEffectiveTime,
  ruleKeyParams,
  ruleTypeOf,
  toForbidUserRule,
  ZEGO_BAN_PRIVILEGES,
  type ZegoBanScope,
  type ZegoForbidUserRule,
  type ZegoForbidUserTarget,
} from './forbid-user-rules';
import { MixSequence } from './sequence';
import { newZegoNonce, signZego, ZEGO_SIGNATURE_VERSION } from './signature';

/** ZEGO's region-independent API host (zego.md §1.1). */
export const DEFAULT_ZEGO_BASE_URL = 'https://rtc-api.zego.im';

/** KickoutUser takes 1 to 5 users (zego.md §4.2). */
export const MAX_KICKOUT_USERS = 5;

/** KickoutUser `CustomReason` limit in UTF-8 bytes, before URL-encoding (zego.md §4.2). */
export const MAX_CUSTOM_REASON_BYTES = 256;

/** Credentials of one ZEGO app (project). */
export interface ZegoAppConfig {
  appId: number;
  /** The 32-character ServerSecret from the console. Signs requests; never sent, logged or put in a message. */
  serverSecret: string;
  /** Sends `IsTest=true|false` when set; omitted (ZEGO's default: production) when absent. */
  isTest?: boolean;
}

export interface ZegoClientOptions {
  /**
   * API host.
   * @default {@link DEFAULT_ZEGO_BASE_URL}
   */
  baseUrl?: string;
  /** Every app this client may call; an app not listed is refused before sending. */
  apps: readonly ZegoAppConfig[];
  /**
   * DeleteStream's `UserId`: the operator performing the delete, never the violator (a real
   * in-room user would not get the delete notification). ZEGO suggests e.g. `Server-Administrator`.
   */
  operatorUserId: string;
  /** Missing fields take `DEFAULT_HTTP_TIMEOUTS`. */
  timeouts?: Partial<HttpTimeouts>;
  /** Sends the requests instead of a pool of our own (tests: a `MockAgent`). Not closed by `close()`. */
  dispatcher?: Dispatcher;
  /**
   * Current time in ms since the Unix epoch, for `Timestamp` and StopMix `Sequence`.
   * @default `Date.now`
   */
  now?: () => number;
}

/** One stream of DescribeSimpleStreamList (zego.md §4.5). */
export interface ZegoStreamInfo {
  streamId: string;
  userId: string;
  userName?: string;
  /** As ZEGO sends it (the documented example is in ms). */
  createTime?: number;
}

interface ZegoContext extends ProviderOperation {
  provider: 'zego';
  operation: ZegoOperation;
}

/** A call's outcome and the parsed answer, for operations that read `Data`. */
interface ZegoResponse {
  result: ProviderResult;
  body: unknown;
}

interface ZegoRequest {
  method: 'GET' | 'POST';
  /** Business parameters, after the common ones. */
  params: readonly QueryParam[];
  /** POST only: business parameters as a JSON object. */
  body?: Record<string, unknown>;
}

/** Calls the ZEGO Server API for the apps it holds credentials for. */
export class ZegoClient {
  readonly #http: ProviderHttp;
  readonly #apps: ReadonlyMap<number, ZegoAppConfig>;
  readonly #operatorUserId: string;
  readonly #now: () => number;
  readonly #sequence: MixSequence;
  /** Redacted from anything quoted from an answer. */
  readonly #secrets: readonly string[];

  /** @throws TypeError for a duplicate or malformed app, or an empty operator id (configuration errors). */
  constructor(options: ZegoClientOptions) {
    const apps = new Map<number, ZegoAppConfig>();
    for (const app of options.apps) {
      if (!Number.isInteger(app.appId) || app.appId < 0 || app.appId > 0xffffffff) {
        throw new TypeError('ZEGO appId must be a uint32');
      }
      if (apps.has(app.appId)) throw new TypeError(`ZEGO app ${app.appId} is configured twice`);
      if (typeof app.serverSecret !== 'string' || app.serverSecret === '') {
        throw new TypeError(`ZEGO app ${app.appId} has no server secret`);
      }
      apps.set(app.appId, { ...app });
    }
    if (typeof options.operatorUserId !== 'string' || options.operatorUserId === '') {
      throw new TypeError('ZEGO operatorUserId must not be empty');
    }
    this.#apps = apps;
    this.#secrets = [...apps.values()].map((app) => app.serverSecret);
    this.#operatorUserId = options.operatorUserId;
    this.#now = options.now ?? Date.now;
    this.#sequence = new MixSequence(this.#now);
    this.#http = new ProviderHttp({
      provider: 'zego',
      baseUrl: options.baseUrl ?? DEFAULT_ZEGO_BASE_URL,
      timeouts: options.timeouts,
      dispatcher: options.dispatcher,
    });
  }

  /** Whether this client holds credentials for `appId`. */
  hasApp(appId: number): boolean {
    return this.#apps.has(appId);
  }

  /**
   * DeleteStream (GET, zego.md §4.1): removes the stream from the room's list. Notification only:
   * the publisher keeps sending media until kicked. `UserId` is the configured operator.
   * `already-done` on 138 (no such stream) and when the room is gone.
   */
  async deleteStream(appId: number, target: { roomId: string; streamId: string }, opts: CallOptions = {}): Promise<ProviderResult> {
    const ctx = context(ZegoOperation.deleteStream);
    const app = this.#app(ctx, appId);
    const params: QueryParam[] = [
      ['RoomId', checkText(ctx, 'RoomId', target.roomId)],
      ['UserId', this.#operatorUserId],
      ['StreamId', checkText(ctx, 'StreamId', target.streamId)],
    ];
    return (await this.#call(ctx, app, { method: 'GET', params }, opts)).result;
  }

  /**
   * StopMix (POST, zego.md §4.10): JSON body `{TaskId, Sequence, UserId}`, `UserId` being the
   * task's owner. `Sequence` increases across calls and restarts (see {@link MixSequence}).
   * `already-done` on 110209001 (no such task).
   */
  async stopMix(appId: number, task: { taskId: string; userId: string }, opts: CallOptions = {}): Promise<ProviderResult> {
    const ctx = context(ZegoOperation.stopMix);
    const app = this.#app(ctx, appId);
    const body = {
      TaskId: checkText(ctx, 'TaskId', task.taskId),
      Sequence: this.#nextSequence(ctx),
      UserId: checkText(ctx, 'UserId', task.userId),
    };
    return (await this.#call(ctx, app, { method: 'POST', params: [], body }, opts)).result;
  }

  /**
   * KickoutUser (GET, zego.md §4.2): 1 to 5 users, sent as repeated `UserId[]` (encoded
   * `UserId%5B%5D`); `CustomReason` at most 256 UTF-8 bytes, URL-encoded. Both limits are checked
   * before sending. Kicking an absent user succeeds; `already-done` when the room is gone.
   */
  async kickoutUser(
    appId: number,
    kick: { roomId: string; userIds: readonly string[]; customReason?: string },
    opts: CallOptions = {},
  ): Promise<ProviderResult> {
    const ctx = context(ZegoOperation.kickoutUser);
    const app = this.#app(ctx, appId);
    const users = kick.userIds;
    if (!Array.isArray(users) || users.length < 1 || users.length > MAX_KICKOUT_USERS) {
      refuse(ctx, `UserId[] must name 1 to ${MAX_KICKOUT_USERS} users (got ${Array.isArray(users) ? users.length : 'none'})`);
    }
    const params: QueryParam[] = [
      ['RoomId', checkText(ctx, 'RoomId', kick.roomId)],
      ...users.map((user, i): QueryParam => ['UserId[]', checkText(ctx, `UserId[${i}]`, user)]),
    ];
    const reason = kick.customReason;
    if (reason !== undefined && checkText(ctx, 'CustomReason', reason, true) !== '') {
      const bytes = Buffer.byteLength(reason, 'utf8');
      if (bytes > MAX_CUSTOM_REASON_BYTES) {
        refuse(ctx, `CustomReason is ${bytes} UTF-8 bytes; at most ${MAX_CUSTOM_REASON_BYTES} are allowed`);
      }
      params.push(['CustomReason', reason]);
    }
    return (await this.#call(ctx, app, { method: 'GET', params }, opts)).result;
  }

  /**
   * DescribeSimpleStreamList (GET, zego.md §4.5): the room's streams. A room that no longer
   * exists answers `already-done` with no streams. Mind the limit of 1 call per 10 s per room.
   */
  async describeSimpleStreamList(
    appId: number,
    room: { roomId: string },
    opts: CallOptions = {},
  ): Promise<ProviderResult & { streams: ZegoStreamInfo[] }> {
    const ctx = context(ZegoOperation.describeSimpleStreamList);
    const app = this.#app(ctx, appId);
    const params: QueryParam[] = [['RoomId', checkText(ctx, 'RoomId', room.roomId)]];
    const { result, body } = await this.#call(ctx, app, { method: 'GET', params }, opts);
    if (result.outcome === 'already-done') return { ...result, streams: [] };
    const list = parseShape({ ...ctx, providerCode: 0, requestId: result.requestId }, ZegoStreamListAnswer, body).Data;
    const streams = list.map((s): ZegoStreamInfo => ({
      streamId: s.StreamId,
      userId: s.UserId,
      ...(s.UserName == null ? {} : { userName: s.UserName }),
      ...(s.CreateTime == null ? {} : { createTime: s.CreateTime }),
    }));
    return { ...result, streams };
  }

  /**
   * SetForbidUserRule (GET, zego.md §4.14): bans the user's login and publish (`DisabledPrivilege[]`
   * 1 and 2) for `effectiveTime` seconds, 1 to 86,400, checked before sending. `RuleType` 4
   * (RoomId+UserId) for the `room` scope, 3 (UserId) for `app`. The rule has no id of its own: its
   * keys are the rule type, room and user. It does not evict a user already in the room (kick them
   * next). What a second call with the same keys does is not documented; a ban renews its rule that
   * way and reads the new expiry from the answer. `50123` (quota full) is a rejection.
   *
   * @returns `expireTime`: the rule's expiry as ZEGO answers it, in Unix seconds.
   */
  async setForbidUserRule(
    appId: number,
    rule: ZegoForbidUserTarget & { effectiveTime: number },
    opts: CallOptions = {},
  ): Promise<ProviderResult & { expireTime: number }> {
    const ctx = context(ZegoOperation.setForbidUserRule);
    const app = this.#app(ctx, appId);
    const params: QueryParam[] = [
      ...ruleKeyParams(ctx, rule),
      ...ZEGO_BAN_PRIVILEGES.map((privilege): QueryParam => ['DisabledPrivilege[]', String(privilege)]),
      ['EffectiveTime', String(checkEffectiveTime(ctx, rule.effectiveTime))],
    ];
    const { result, body } = await this.#call(ctx, app, { method: 'GET', params }, opts);
    const { Data } = parseShape({ ...ctx, providerCode: result.providerCode, requestId: result.requestId }, ZegoForbidUserRuleSet, body);
    return { ...result, expireTime: Data.ExpireTime };
  }

  /**
   * DescribeForbidUserRules (GET, zego.md §4.14): every rule of the scope's rule type in the app,
   * expired ones included until ZEGO purges them (compare `expireTime` with the clock). Use
   * `isForbidUserRuleFor` to find one user's rule.
   */
  async describeForbidUserRules(
    appId: number,
    query: { scope: ZegoBanScope },
    opts: CallOptions = {},
  ): Promise<ProviderResult & { rules: ZegoForbidUserRule[] }> {
    const ctx = context(ZegoOperation.describeForbidUserRules);
    const app = this.#app(ctx, appId);
    const params: QueryParam[] = [['RuleType', String(ruleTypeOf(ctx, query.scope))]];
    const { result, body } = await this.#call(ctx, app, { method: 'GET', params }, opts);
    const list = parseShape({ ...ctx, providerCode: result.providerCode, requestId: result.requestId }, ZegoForbidUserRuleList, body).Data;
    return { ...result, rules: list.map(toForbidUserRule) };
  }

  /**
   * DelForbidUserRule (GET, zego.md §4.14): removes the rule with these keys (the same as
   * SetForbidUserRule's, without privileges or time). `already-done` on 50124: the rule does not
   * exist (it expired, or was deleted before).
   */
  async delForbidUserRule(appId: number, rule: ZegoForbidUserTarget, opts: CallOptions = {}): Promise<ProviderResult> {
    const ctx = context(ZegoOperation.delForbidUserRule);
    const app = this.#app(ctx, appId);
    return (await this.#call(ctx, app, { method: 'GET', params: ruleKeyParams(ctx, rule) }, opts)).result;
  }

  /** Closes the connection pool; calls in flight finish first. */
  close(): Promise<void> {
    return this.#http.close();
  }

  #app(ctx: ZegoContext, appId: number): ZegoAppConfig {
    const app = this.#apps.get(appId);
    if (app === undefined) refuse(ctx, `no credentials configured for ZEGO app ${appId}`);
    return app;
  }

  #nextSequence(ctx: ZegoContext): number {
    try {
      return this.#sequence.next();
    } catch {
      return refuse(ctx, 'Sequence no longer fits an int32');
    }
  }

  /** Fresh common parameters: a new nonce and timestamp, hence a new signature, on every call. */
  #commonParams(action: ZegoOperation, app: ZegoAppConfig): QueryParam[] {
    const nonce = newZegoNonce();
    const timestamp = Math.floor(this.#now() / 1000);
    const params: QueryParam[] = [
      ['Action', action],
      ['AppId', String(app.appId)],
      ['SignatureNonce', nonce],
      ['Timestamp', String(timestamp)],
      ['Signature', signZego(app.appId, nonce, app.serverSecret, timestamp)],
      ['SignatureVersion', ZEGO_SIGNATURE_VERSION],
    ];
    if (app.isTest !== undefined) params.push(['IsTest', String(app.isTest)]);
    return params;
  }

  async #call(
    ctx: ZegoContext,
    app: ZegoAppConfig,
    request: ZegoRequest,
    opts: CallOptions,
  ): Promise<ZegoResponse> {
    // Common parameters stay in the query for POST too; only business parameters go in the body.
    const query = encodeQuery([...this.#commonParams(ctx.operation, app), ...request.params]);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const answer = await this.#http.send({
      operation: ctx.operation,
      method: request.method,
      path: `/?${query}`,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: opts.signal,
    });
    return this.#read(ctx, answer);
  }

  #read(ctx: ZegoContext, answer: HttpResponse): ZegoResponse {
    if (answer.status < 200 || answer.status > 299) throw this.#statusError(ctx, answer);
    const body = parseJsonBody(ctx, answer);
    const envelope = parseShape(ctx, ZegoEnvelope, body);
    const requestId = envelope.RequestId ?? undefined;
    if (envelope.Code === 0) return { result: { outcome: 'done', providerCode: 0, requestId }, body };
    const row = classifyZego(ctx.operation, envelope.Code);
    const message = envelope.Message;
    const result = answerOutcome(row, {
      ...ctx,
      codeLabel: 'Code',
      code: envelope.Code,
      requestId,
      // A known code's meaning says it all; for an unknown one, ZEGO's own words are the only clue.
      quotedMessage: row === undefined && message != null && message !== '' ? quoteProviderText(message, this.#secrets) : undefined,
      raw: rawAnswer(answer.text, this.#secrets),
    });
    return { result, body };
  }

  /** ZEGO answers HTTP 200 even for errors; another status comes from a proxy or an outage. */
  #statusError(ctx: ZegoContext, answer: HttpResponse): Error {
    const message = `zego ${ctx.operation} answered HTTP ${answer.status}`;
    if (answer.status >= 500) return new ProviderRetryableError(message, ctx);
    return new ProviderUnknownAnswerError(`${message} (not a ZEGO answer)`, { ...ctx, raw: rawAnswer(answer.text, this.#secrets) });
  }
}

function context(operation: ZegoOperation): ZegoContext {
  return { provider: 'zego', operation };
}
