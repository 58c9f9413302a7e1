/**
 * Hostile deliveries for every route (fast-check), in the style of chaos/lib/hostile-inputs.ts:
 * a valid body with one to three fields broken, or junk of any shape. Every one is authentic
 * (signed, or with the right key) and none is usable, so the intake must answer 4xx and start nothing.
 */
import fc from 'fast-check';
import { hostileInput } from '../../../chaos/lib/hostile-inputs';
import { activeFenceWebhook, hiveCallback, zegoCensorResult } from './senders';

type Json = Record<string, unknown>;

const control = fc.constantFrom('\u0000', '\n', '\u001f', '\u007f');
/** Values no id-like field accepts. */
const notAnId = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, '', -1, 1.5, [], {}, ['a']),
  fc.object({ maxDepth: 1 }),
  control.map((c) => `id${c}x`),
  fc.integer({ min: 257, max: 20_000 }).map((n) => 'k'.repeat(n)),
);
const notAnAppId = fc.constantFrom<unknown>('1234567890', 0, -5, 1.5, 4294967296, null, {}, []);
const notAUid = fc.constantFrom<unknown>('abc', 0, -1, 1.25, 4294967296, null, {}, '12 34', '');

/** Sets a value at a dotted path, deleting it when the value is `undefined`. */
function put(body: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let holder = body;
  for (const key of keys.slice(0, -1)) {
    if (holder[key] === null || typeof holder[key] !== 'object') holder[key] = {};
    holder = holder[key] as Json;
  }
  if (value === undefined) delete holder[keys.at(-1)!];
  else holder[keys.at(-1)!] = value;
}

function mutatedBody(valid: () => Json, breaks: fc.Arbitrary<[string, unknown]>[]): fc.Arbitrary<Json> {
  return fc.array(fc.oneof(...breaks), { minLength: 1, maxLength: 3 }).map((changes) => {
    const body = structuredClone(valid());
    for (const [path, value] of changes) put(body, path, value);
    return body;
  });
}

const junkObject = fc.oneof(fc.object({ maxDepth: 3 }), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }))) as fc.Arbitrary<Json>;
const brokenAt = (paths: string[], values: fc.Arbitrary<unknown>) => fc.tuple(fc.constantFrom(...paths), fc.oneof(values, fc.constant(undefined)));

/** ZEGO censor results with the signature fields left out: the sender signs them last. */
export const hostileZegoBody: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: mutatedBody(() => zegoCensorResult('x', { roomId: 'room-1', resultTaskId: 'task_s_1' }), [
    brokenAt(['ResultTaskId', 'AuxInfo.RoomId'], notAnId),
    brokenAt(['AppId'], notAnAppId),
    brokenAt(['Detail', 'AuxInfo', 'Detail.RiskLevel'], fc.constantFrom<unknown>(null, 5, 'x'.repeat(40), [], '')),
    fc.tuple(fc.constant('Event'), fc.constantFrom<unknown>(undefined, null, 5, [], {})),
  ]) },
  { weight: 1, arbitrary: junkObject },
);

export const hostileActiveFenceBody: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: mutatedBody(() => activeFenceWebhook({ contentId: 'c-1', reason: 'violence', cname: 'channel-1', uid: 1001 }), [
    brokenAt(['contentId'], notAnId),
    fc.tuple(fc.constant('reason'), fc.constantFrom<unknown>(5, null, {}, [5], ['x'.repeat(65)], 'y'.repeat(65))),
    fc.tuple(fc.constant('metaData'), fc.oneof(fc.constantFrom<unknown>(undefined, null, 5, '', '{', '[]', '"x"'), notAUid.map((uid) => JSON.stringify({ cname: 'c', uid })), notAnId.map((cname) => JSON.stringify({ cname, uid: 5 })))),
  ]) },
  { weight: 1, arbitrary: junkObject },
);

export const hostileHiveBody: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: mutatedBody(() => hiveCallback({ id: 'h-1', cname: 'channel-1', uid: 1001, classes: [{ general_nsfw: 0.95 }] }), [
    brokenAt(['id'], notAnId),
    fc.tuple(fc.constant('metadata'), fc.oneof(fc.constantFrom<unknown>(undefined, null, 5, '', '{', '[]'), notAUid.map((uid) => JSON.stringify({ cname: 'c', uid })))),
  ]) },
  { weight: 1, arbitrary: junkObject },
);

/** Takedown requests that are invalid (the project's own generator), as decision bodies. */
export const hostileDecisionBody: fc.Arbitrary<unknown> = hostileInput.map((h) => h.input);

/** Bytes that are not a JSON object at all. */
export const junkBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)),
  fc.constantFrom('', 'null', '[]', '"text"', '42', '{', '{"a":}', '\u0000', '%7B%22a', '\ufeff{}').map((s) => Buffer.from(s)),
);
