/** Answers one ZEGO request (`/?Action=…`): gateway, fault, rate limit, then the Action itself. */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { jsonAnswer, retryAfterHeader, runWithFault, type Answer, type Exchange, type Outcome, type ReplacingFault } from '../exchange';
import type { FaultQueue } from '../faults';
import { parseQuery } from '../http-util';
import { isZegoOperation } from '../operations';
import type { RateLimiter } from '../rate-limits';
import { ZEGO_ACTIONS, type PreparedAction, type ZegoAction } from './actions';
import { zegoMessage, type ZegoResult } from './codes';
import { checkGateway, type ZegoAppConfig } from './gateway';
import type { ZegoWorld } from './state';

/** What the ZEGO handler needs from the sandbox. */
export interface ZegoContext {
  apps: ReadonlyMap<number, ZegoAppConfig>;
  world: ZegoWorld;
  limiter: RateLimiter;
  faults: FaultQueue;
  /** Provider clock: signature window and stream CreateTime. */
  now: () => number;
}

/** A RequestId shaped like ZEGO's: a 19-digit decimal string (zego.md §1.4). */
export function newZegoRequestId(): string {
  return (randomBytes(8).readBigUInt64BE() % 9_000_000_000_000_000_000n + 1_000_000_000_000_000_000n).toString();
}

/** Computes the answer to one ZEGO request and completes its log entry. */
export function handleZego(ctx: ZegoContext, exchange: Exchange): Outcome {
  const { entry } = exchange;
  const query = parseQuery(exchange.rawQuery);
  const actionName = query.get('Action')?.[0];
  const appIdText = query.get('AppId')?.[0];
  if (appIdText !== undefined) entry.appId = appIdText;

  // Log what was asked even when the gateway refuses it.
  let prepared: PreparedAction | undefined;
  let action: ZegoAction | undefined;
  const signatureNonce = query.get('SignatureNonce')?.[0];
  const timestamp = query.get('Timestamp')?.[0];
  const common = { ...(signatureNonce === undefined ? {} : { signatureNonce }), ...(timestamp === undefined ? {} : { timestamp }) };
  if (actionName !== undefined && isZegoOperation(actionName)) {
    entry.operation = actionName;
    action = ZEGO_ACTIONS[actionName];
    prepared = action.prepare(query, exchange.body);
    entry.params = { ...prepared.params, ...common };
  } else {
    entry.params = { ...(actionName === undefined ? {} : { action: actionName }), ...common };
  }

  const requestId = newZegoRequestId();
  entry.requestId = requestId;
  const answer = (result: ZegoResult): Answer => zegoAnswer(exchange, requestId, result);

  const verdict = checkGateway(query, ctx.apps, ctx.now());
  if (!verdict.passed) return { answer: answer({ code: verdict.code }), extraDelayMs: 0 };
  const app = ctx.world.app(verdict.app.appId);
  // The gateway only passes configured apps and served Actions.
  if (app === undefined || action === undefined || prepared === undefined) throw new Error('ZEGO gateway passed an unknown app or Action');
  if (verdict.testEnvironment) entry.params = { ...entry.params, isTest: true };

  const run = (): Answer => {
    const appScope = String(verdict.app.appId);
    const bucket = verdict.testEnvironment ? (action.testBucket ?? action.bucket) : action.bucket;
    if (!ctx.limiter.admit(bucket, appScope, entry.at).admitted) return answer({ code: action.throttledCode });
    if (action.roomBucket !== undefined && prepared.roomId !== undefined) {
      if (!ctx.limiter.admit(action.roomBucket, `${appScope}/${prepared.roomId}`, entry.at).admitted) {
        return answer({ code: 207 });
      }
    }
    return answer(prepared.execute(app, ctx.now()));
  };
  return runWithFault(ctx.faults.take('zego', entry.operation), entry, run, (fault) => zegoFaultAnswer(exchange, requestId, fault));
}

/** ZEGO answers everything with HTTP 200 and a `Code` (zego.md §1.4). */
function zegoAnswer(exchange: Exchange, requestId: string, result: ZegoResult): Answer {
  exchange.entry.code = result.code;
  return jsonAnswer(200, {
    Code: result.code,
    Message: result.message ?? zegoMessage(result.code),
    RequestId: requestId,
    ...(result.data === undefined ? {} : { Data: result.data }),
  });
}

/**
 * An injected transport-level status has no ZEGO body: a front proxy's error page, which a client
 * must treat as a transport failure (zego.md §1.4).
 */
function zegoFaultAnswer(exchange: Exchange, requestId: string, fault: ReplacingFault): Answer {
  if ('zegoCode' in fault) return zegoAnswer(exchange, requestId, { code: fault.zegoCode, message: fault.message });
  return {
    status: fault.status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...retryAfterHeader(fault.retryAfterSeconds) },
    body: `${fault.status} ${STATUS_CODES[fault.status] ?? ''}`.trim(),
  };
}
