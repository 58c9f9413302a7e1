/**
 * ZEGO's common-parameter gateway (zego.md §1.3, §2, §3.1, §8.2): syntax of every common
 * parameter first, then the app, the timestamp window and the signature. ZEGO does not document
 * its check order; this one answers the most specific problem of a request with several.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isZegoOperation, type ZegoOperation } from '../operations';
import { ZegoCode } from './codes';

/** A ZEGO app the sandbox accepts. */
export interface ZegoAppConfig {
  appId: number;
  serverSecret: string;
  /** A test-environment-only app: test-env limits, and `IsTest=false` is refused. Default false. */
  isTest?: boolean;
}

/** "The generated signature is valid for 10 minutes" — read as ±600 s around the server's clock (inferred). */
export const SIGNATURE_WINDOW_SECONDS = 600;

const UINT32_MAX = 4_294_967_295;

/** The gateway's decision: the app, Action and environment, or the refusal code. */
export type GatewayVerdict =
  | { passed: true; app: ZegoAppConfig; action: ZegoOperation; testEnvironment: boolean }
  | { passed: false; code: ZegoCode };

type Query = ReadonlyMap<string, string[]>;

function first(query: Query, name: string): string | undefined {
  return query.get(name)?.[0];
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value === '';
}

/** Syntax checks in order: the first that fails names the code. */
const SYNTAX_CHECKS: readonly { code: ZegoCode; fails: (query: Query) => boolean }[] = [
  { code: ZegoCode.appIdFormat, fails: (q) => !isUint32(first(q, 'AppId')) },
  { code: ZegoCode.timestampEmpty, fails: (q) => isBlank(first(q, 'Timestamp')) },
  // Digits only: Unix seconds. A millisecond timestamp is well-formed but far in the future, so it
  // gets 100000004 from the window check rather than a format error (inferred).
  { code: ZegoCode.timestampFormat, fails: (q) => !/^\d{1,15}$/.test(first(q, 'Timestamp') ?? '') },
  // Any non-empty nonce: ZEGO's own signature generator sends base-36 nonces (zego.md §1.3).
  { code: ZegoCode.nonceEmpty, fails: (q) => isBlank(first(q, 'SignatureNonce')) },
  { code: ZegoCode.signatureEmpty, fails: (q) => isBlank(first(q, 'Signature')) },
  { code: ZegoCode.signatureVersionEmpty, fails: (q) => isBlank(first(q, 'SignatureVersion')) },
  { code: ZegoCode.signatureVersionUnsupported, fails: (q) => first(q, 'SignatureVersion') !== '2.0' },
  { code: ZegoCode.actionEmpty, fails: (q) => isBlank(first(q, 'Action')) },
  { code: ZegoCode.actionUnsupported, fails: (q) => !isZegoOperation(first(q, 'Action') ?? '') },
];

function isUint32(text: string | undefined): boolean {
  return text !== undefined && /^\d{1,10}$/.test(text) && Number(text) <= UINT32_MAX;
}

/** `md5(AppId + SignatureNonce + ServerSecret + Timestamp)`, lowercase hex, over the values as sent (zego.md §2). */
export function zegoSignature(appId: string, nonce: string, serverSecret: string, timestamp: string): string {
  return createHash('md5').update(`${appId}${nonce}${serverSecret}${timestamp}`, 'utf8').digest('hex');
}

/**
 * `IsTest` is `true`/`false`, case-insensitive (zego.md §1.3); absent, the app's own environment
 * applies. Any other value is ignored rather than refused (inferred tolerance).
 */
function requestedTestEnvironment(query: Query): boolean | undefined {
  const value = first(query, 'IsTest')?.toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/**
 * Checks a request's common parameters.
 * @param nowMs the server clock for the timestamp window.
 */
export function checkGateway(query: Query, apps: ReadonlyMap<number, ZegoAppConfig>, nowMs: number): GatewayVerdict {
  const failed = SYNTAX_CHECKS.find((check) => check.fails(query));
  if (failed !== undefined) return { passed: false, code: failed.code };

  // The syntax checks guarantee these are present.
  const appIdText = first(query, 'AppId') ?? '';
  const timestampText = first(query, 'Timestamp') ?? '';
  const nonce = first(query, 'SignatureNonce') ?? '';
  const signature = first(query, 'Signature') ?? '';
  const action = first(query, 'Action') as ZegoOperation;

  const app = apps.get(Number(appIdText));
  if (app === undefined) return { passed: false, code: ZegoCode.secretNotFound };

  const skewSeconds = Math.abs(Math.floor(nowMs / 1000) - Number(timestampText));
  if (skewSeconds > SIGNATURE_WINDOW_SECONDS) return { passed: false, code: ZegoCode.signatureExpired };

  const expected = zegoSignature(appIdText, nonce, app.serverSecret, timestampText);
  if (!sameText(expected, signature)) return { passed: false, code: ZegoCode.signatureWrong };

  const requested = requestedTestEnvironment(query);
  const appIsTest = app.isTest === true;
  if (appIsTest && requested === false) return { passed: false, code: ZegoCode.noProductionEnvironment };
  return { passed: true, app, action, testEnvironment: requested ?? appIsTest };
}

/** Exact, case-sensitive comparison: ZEGO signs in lowercase hex, so an uppercase signature is wrong. */
function sameText(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
