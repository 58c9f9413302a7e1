/**
 * Answers one Agora request: route, Basic auth, request id, path checks, fault, rate limit, then
 * the operation (agora.md §2–§7).
 */
import { randomUUID } from 'node:crypto';
import { jsonAnswer, retryAfterHeader, runWithFault, type Answer, type Exchange, type Outcome, type ReplacingFault } from '../exchange';
import type { FaultQueue } from '../faults';
import { headerValue, parseJsonBody, parseQuery } from '../http-util';
import { AGORA_APP_ID_PATTERN, isAgoraRegion, UNKNOWN_OPERATION } from '../operations';
import type { BucketName, RateLimiter } from '../rate-limits';
import type { RuleCaps } from '../rule-caps';
import { authenticate } from './auth';
import { durationSeconds, kickingRuleWire, readRuleRequest } from './kicking-rules';
import { AgoraMessage, MESSAGE_BY_STATUS } from './messages';
import { matchAgoraRoute, type AgoraRoute } from './routes';
import { agoraTime, type AgoraProject, type AgoraWorld, type Session } from './state';

/** What the Agora handler needs from the sandbox. */
export interface AgoraContext {
  /** customerId → customerSecret. */
  accounts: ReadonlyMap<string, string>;
  world: AgoraWorld;
  limiter: RateLimiter;
  faults: FaultQueue;
  now: () => number;
  /** Read at each create or update, so `configure` applies to the next one. */
  ruleCaps: () => RuleCaps;
}

type Reply = (status: number, body: Record<string, unknown>, headers?: Record<string, string>) => Answer;

/** An error body as the EN OpenAPI shows it: `{"status":"error","message":…}` (agora.md §3). */
function failure(message: string): Record<string, unknown> {
  return { status: 'error', message };
}

/** Computes the answer to one Agora request and completes its log entry. */
export function handleAgora(ctx: AgoraContext, exchange: Exchange): Outcome {
  const { entry } = exchange;
  const route = matchAgoraRoute(exchange.method, exchange.path);
  const query = parseQuery(exchange.rawQuery);
  const body = readJson(exchange.body);
  describeForLog(exchange, route, query, body);

  const customerId = authenticate(headerValue(exchange.headers.authorization), ctx.accounts);
  // A 401 carries no X-Request-ID (agora.md §2.3).
  if (customerId === undefined) return immediate(jsonAnswer(401, { message: AgoraMessage.unauthorized }));

  const requestId = headerValue(exchange.headers['x-request-id']) || randomUUID();
  entry.requestId = requestId;
  const reply: Reply = (status, payload, headers = {}) => jsonAnswer(status, payload, { 'x-request-id': requestId, ...headers });

  if (route.api === 'none') return immediate(reply(404, failure(AgoraMessage.routeNotFound)));
  if (route.api === 'ingress') {
    if (!isAgoraRegion(route.region)) return immediate(reply(400, failure(AgoraMessage.invalidRegion)));
    if (!AGORA_APP_ID_PATTERN.test(route.appId)) return immediate(reply(400, failure(AgoraMessage.invalidAppId)));
    if (route.rule === undefined) return immediate(reply(404, failure(AgoraMessage.routeNotFound)));
    if (route.rule.resource === 'online-streams' && route.id === '') return immediate(reply(400, failure(AgoraMessage.sidMissing)));
  } else if (route.operation === undefined) {
    return immediate(reply(405, failure(AgoraMessage.methodNotAllowed)));
  }

  const throttled = (bucket: BucketName, scope: string): Answer | undefined => {
    const admission = ctx.limiter.admit(bucket, scope, entry.at);
    return admission.admitted
      ? undefined
      : reply(429, failure(AgoraMessage.rateLimited), retryAfterHeader(admission.retryAfterSeconds));
  };
  const run = (): Answer => {
    if (route.api === 'ingress' && route.rule !== undefined && isAgoraRegion(route.region)) {
      const project = ctx.world.project(route.appId, route.region);
      return throttled(route.rule.bucket, route.appId) ?? ingress(ctx, project, route.rule.operation, route.id ?? '', query, reply);
    }
    return throttled('agora.kicking-rule', customerId) ?? kickingRule(ctx, exchange, customerId, query, body, reply);
  };
  return runWithFault(ctx.faults.take('agora', entry.operation), entry, run, (fault) => faultAnswer(fault, reply));
}

function immediate(answer: Answer): Outcome {
  return { answer, extraDelayMs: 0 };
}

type JsonBody = { value: unknown } | { invalid: true };

function readJson(body: Buffer): JsonBody {
  try {
    return { value: parseJsonBody(body) };
  } catch {
    return { invalid: true };
  }
}

function fieldOf(body: JsonBody, name: string): unknown {
  if (!('value' in body) || typeof body.value !== 'object' || body.value === null) return undefined;
  return (body.value as Record<string, unknown>)[name];
}

/** Fills the log entry before auth, so refused requests are as visible as served ones. */
function describeForLog(exchange: Exchange, route: AgoraRoute, query: ReadonlyMap<string, string[]>, body: JsonBody): void {
  const { entry } = exchange;
  const channel = query.get('channel')?.[0];
  if (route.api === 'ingress') {
    entry.operation = route.rule?.operation ?? UNKNOWN_OPERATION;
    entry.region = route.region;
    entry.appId = route.appId;
    const idName = route.rule?.resource === 'streamkeys' ? 'streamKey' : 'sid';
    entry.params = { ...(route.id === undefined ? {} : { [idName]: route.id }), ...(channel === undefined ? {} : { channel }) };
  } else if (route.api === 'kicking-rule') {
    entry.operation = route.operation ?? UNKNOWN_OPERATION;
    const appid = route.operation === 'ListKickingRules' ? query.get('appid')?.[0] : fieldOf(body, 'appid');
    if (typeof appid === 'string') entry.appId = appid;
    const params: Record<string, unknown> = {}; // kicking-rule fields, logged as sent
    for (const name of ['id', 'cname', 'uid', 'ip', 'time', 'time_in_seconds', 'privileges']) {
      const value = fieldOf(body, name);
      if (value !== undefined) params[name] = value;
    }
    entry.params = params;
  }
}

function sessionWire(session: Session): Record<string, unknown> {
  return {
    sid: session.sid,
    channel: session.channel,
    uid: session.uid,
    url: session.url,
    status: session.status,
    beginAt: agoraTime(session.beginAtMs),
    bitrate: session.bitrate,
    ...(session.video === undefined ? {} : { video: { ...session.video } }),
    ...(session.audio === undefined ? {} : { audio: { ...session.audio } }),
  };
}

function ingress(
  ctx: AgoraContext,
  project: AgoraProject,
  operation: string,
  id: string,
  query: ReadonlyMap<string, string[]>,
  reply: Reply,
): Answer {
  switch (operation) {
    case 'DeleteStreamKey':
      // 404 for a key that is not there, so a repeated delete is visibly "already gone" (agora.md §10, inferred).
      return ctx.world.deleteKey(project, id) ? reply(200, { status: 'success' }) : reply(404, failure(AgoraMessage.keyNotFound));
    case 'ListOnlineStreams': {
      const channel = query.get('channel')?.[0];
      const sessions = [...project.sessions.values()].filter((s) => channel === undefined || s.channel === channel);
      return reply(200, { status: 'success', data: sessions.map(sessionWire) });
    }
    case 'GetOnlineStream': {
      // The ZH schema's object form (agora.md §4.7); the EN examples' array form is the documented conflict.
      const session = project.sessions.get(id);
      return session === undefined ? reply(404, failure(AgoraMessage.sessionNotFound)) : reply(200, { status: 'success', data: sessionWire(session) });
    }
    case 'ForceDisconnect':
      return ctx.world.forceDisconnect(project, id) ? reply(200, { status: 'success' }) : reply(404, failure(AgoraMessage.sessionNotFound));
    default:
      return reply(404, failure(AgoraMessage.routeNotFound));
  }
}

function kickingRule(
  ctx: AgoraContext,
  exchange: Exchange,
  customerId: string,
  query: ReadonlyMap<string, string[]>,
  body: JsonBody,
  reply: Reply,
): Answer {
  const operation = exchange.entry.operation;
  if (operation === 'ListKickingRules') {
    const appid = query.get('appid')?.[0];
    if (appid === undefined || appid === '') return reply(400, failure(AgoraMessage.invalidKickingAppId));
    return reply(200, { status: 'success', rules: ctx.world.rules.list(customerId, appid).map(kickingRuleWire) });
  }
  // Channel management answers 415 to a body that is not JSON (agora.md §5.3); no header at all is tolerated.
  const contentType = headerValue(exchange.headers['content-type']);
  if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) return reply(415, failure(AgoraMessage.unsupportedMediaType));
  if (!('value' in body)) return reply(400, failure(AgoraMessage.invalidBody));

  if (operation === 'CreateKickingRule') {
    const request = readRuleRequest(body.value, ctx.ruleCaps());
    if ('error' in request) return reply(400, failure(request.error));
    const rule = ctx.world.rules.create(customerId, request.rule, ctx.now());
    ctx.world.applyKickingRule(rule);
    return reply(200, { status: 'success', id: rule.id });
  }
  const appid = fieldOf(body, 'appid');
  const id = fieldOf(body, 'id');
  if (typeof appid !== 'string' || appid === '') return reply(400, failure(AgoraMessage.invalidKickingAppId));
  if (typeof id !== 'number' || !Number.isInteger(id)) return reply(400, failure(AgoraMessage.invalidRuleId));
  if (operation === 'UpdateKickingRule') {
    // Same clamping as a create; no time at all reads as the create default (inferred: the docs show `time` sent).
    const seconds = durationSeconds(fieldOf(body, 'time'), fieldOf(body, 'time_in_seconds'), ctx.ruleCaps());
    if (seconds === undefined) return reply(400, failure(AgoraMessage.invalidTime));
    const rule = ctx.world.rules.update(customerId, appid, id, seconds, ctx.now());
    // Updating a rule that is not there: undocumented; 404 as for a delete (inferred).
    if (rule === undefined) return reply(404, failure(AgoraMessage.routeNotFound));
    // A renewed rule is in force again: it kicks whom it names, as a new one would; 0 just ends it (inferred).
    if (seconds > 0) ctx.world.applyKickingRule(rule);
    return reply(200, { status: 'success', result: { id, ts: kickingRuleWire(rule).ts } });
  }
  // Deleting a rule that is not there: undocumented; 404 as for other missing resources (inferred).
  return ctx.world.rules.delete(customerId, appid, id) ? reply(200, { status: 'success', id }) : reply(404, failure(AgoraMessage.routeNotFound));
}

function faultAnswer(fault: ReplacingFault, reply: Reply): Answer {
  // The handler never queues a zegoCode fault for Agora; the control API refuses one.
  const status = 'status' in fault ? fault.status : 500;
  const retryAfter = retryAfterHeader('retryAfterSeconds' in fault ? fault.retryAfterSeconds : undefined);
  const message = MESSAGE_BY_STATUS[status] ?? 'Injected fault.';
  if (status === 401) return jsonAnswer(401, { message }, retryAfter);
  return reply(status, status < 300 ? { status: 'success' } : failure(message), retryAfter);
}
