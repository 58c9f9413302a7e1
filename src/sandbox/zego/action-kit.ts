/** What every ZEGO Action is made of: how it reads its query, its buckets, and its deferred effect. */
import type { SandboxRequestParams } from '../control-schemas';
import type { BucketName } from '../rate-limits';
import { ZegoCode, type ZegoResult } from './codes';
import type { ZegoApp } from './state';

export type Query = ReadonlyMap<string, string[]>;

/** A request's business parameters, read once: what the log shows and the deferred effect. */
export interface PreparedAction {
  params: SandboxRequestParams;
  /** The room a per-room limit applies to. */
  roomId?: string;
  execute(app: ZegoApp, nowMs: number): ZegoResult;
}

/** One served Action: its buckets and how it reads a request. */
export interface ZegoAction {
  bucket: BucketName;
  /** The bucket in ZEGO's test environment; default {@link bucket} (the docs give no test-env figure). */
  testBucket?: BucketName;
  /** The code a throttled request gets (zego.md §3.5). */
  throttledCode: ZegoCode;
  /** A per-room bucket, answered with 207. */
  roomBucket?: BucketName;
  prepare(query: Query, body: Buffer): PreparedAction;
}

export const ok: ZegoResult = { code: ZegoCode.success };

export function single(query: Query, name: string): string | undefined {
  const value = query.get(name)?.[0];
  return value === '' ? undefined : value;
}

/**
 * Every value of an array parameter, in any of the spellings clients use (zego.md §1.5):
 * `Name[]` (raw or percent-encoded, decoded alike by {@link parseQuery}), PHP's indexed `Name[0]`,
 * and bare repeated `Name` as in ZEGO's OpenAPI file.
 */
export function arrayParam(query: Query, name: string): string[] {
  const values: string[] = [];
  const bracketed = new RegExp(`^${name}\\[\\d*\\]$`);
  for (const [key, list] of query) {
    if (key === name || bracketed.test(key)) values.push(...list);
  }
  return values;
}

export function missing(fields: Record<string, string | undefined>): ZegoResult | undefined {
  const name = Object.keys(fields).find((field) => fields[field] === undefined);
  return name === undefined ? undefined : { code: ZegoCode.invalidParameter, message: `input parameter error: ${name} is required` };
}

