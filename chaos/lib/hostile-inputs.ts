/**
 * Generated malformed and hostile takedown requests (fast-check). Each one starts from a valid
 * request and applies one to three mutations, every one of which alone makes the request invalid:
 * wrong types, huge strings, hostile unicode, prototype-pollution keys, out-of-range app ids,
 * oversized reasons, unknown or missing fields, too many entries. Plus plain junk of any shape.
 */
import fc from 'fast-check';
import { AGORA_REGIONS } from './targets';

type Json = Record<string, unknown>;

/** One generated input and the mutations that made it invalid. */
export interface HostileInput {
  kinds: string[];
  input: unknown;
}

const shortId = fc.string({ minLength: 1, maxLength: 24 });
const safeKey = fc.string({ minLength: 1, maxLength: 24 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));

const validZegoTarget = fc.record(
  {
    provider: fc.constant('zego'),
    appId: fc.integer({ min: 1, max: 4294967295 }),
    roomId: shortId,
    streamId: shortId,
    userId: shortId,
    kick: fc.boolean(),
    mixTasks: fc.array(fc.record({ taskId: shortId, userId: shortId }), { maxLength: 3 }),
  },
  { requiredKeys: ['provider', 'appId', 'roomId', 'streamId', 'userId'] },
);

const validAgoraTarget = fc.record(
  {
    provider: fc.constant('agora'),
    appId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    region: fc.constantFrom(...AGORA_REGIONS),
    streamKey: fc.string({ minLength: 1, maxLength: 64 }),
    sid: shortId,
    channel: shortId,
  },
  { requiredKeys: ['provider', 'appId', 'region', 'streamKey'] },
);

const validRequest = fc.record(
  {
    violationId: shortId,
    reason: fc.string({ maxLength: 60 }),
    category: shortId,
    dryRun: fc.boolean(),
    metadata: fc.dictionary(safeKey, fc.string({ maxLength: 40 }), { maxKeys: 4 }),
    target: fc.oneof(validZegoTarget, validAgoraTarget),
  },
  { requiredKeys: ['violationId', 'target'] },
);

/** Characters that make strings hostile: multi-byte, zero-width, direction overrides, NUL, lone surrogates. */
const hostileChar = fc.constantFrom('a', 'é', '€', '😀', '\u0000', '\u202e', '\u200d', '\ud800', '\n', '"', '\\', '%00', '<script>', '${jndi:x}');

/** A string of `hostileChar`s at least `min` UTF-16 units long (up to `max`). */
const longString = (min: number, max: number) =>
  fc.tuple(hostileChar, fc.integer({ min, max })).map(([ch, units]) => ch.repeat(Math.ceil(units / ch.length)));

/** Anything that is not a string. */
const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 1 }));
const notBoolean = fc.oneof(fc.constantFrom('true', 'false', 0, 1, null), fc.object({ maxDepth: 1 }), fc.array(fc.boolean(), { maxLength: 2 }));
const notNumber = fc.oneof(fc.constantFrom('1234567890', '', null, true), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const notObject = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }));

/** A mutation: a name for the report and what it does to a request (in place). */
interface Mutation {
  kind: string;
  apply(request: Json): void;
}

/**
 * The request's target as an object to mutate; a target an earlier mutation replaced with a
 * non-object becomes a fresh valid one, which the current mutation then breaks.
 */
function target(r: Json): Json {
  const t = r.target;
  if (t === null || typeof t !== 'object' || Array.isArray(t)) r.target = { provider: 'zego', appId: 1, roomId: 'r', streamId: 's', userId: 'u' };
  return r.target as Json;
}
const isZego = (r: Json) => target(r).provider === 'zego';

/** Sets an own property even for `__proto__`, as JSON.parse does, so the key really is on the object. */
function defineOwn(object: Json, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true });
}

/** String fields and their maximum length, by where they live. */
const TOP_STRINGS = { violationId: 128, category: 64 } as const;
const ZEGO_STRINGS = { roomId: 128, streamId: 256, userId: 256 } as const;
const AGORA_STRINGS = { streamKey: 512, sid: 128, channel: 64, appId: 64 } as const;

function stringField(r: Json, pickTop: boolean, index: number): { holder: Json; field: string; max: number } {
  if (pickTop) {
    const entries = Object.entries(TOP_STRINGS);
    const [field, max] = entries[index % entries.length]!;
    return { holder: r, field, max };
  }
  const entries = Object.entries(isZego(r) ? ZEGO_STRINGS : AGORA_STRINGS);
  const [field, max] = entries[index % entries.length]!;
  return { holder: target(r), field, max };
}

const mutations: fc.Arbitrary<Mutation>[] = [
  // Wrong types, field by field.
  fc.tuple(fc.boolean(), fc.nat(), notString).map(([top, i, value]): Mutation => ({
    kind: 'wrong type (string field)',
    apply: (r) => { const { holder, field } = stringField(r, top, i); holder[field] = value; },
  })),
  fc.tuple(fc.constantFrom('dryRun', 'kick'), notBoolean).map(([field, value]): Mutation => ({
    kind: 'wrong type (boolean field)',
    apply: (r) => { if (field === 'kick' && isZego(r)) target(r).kick = value; else r.dryRun = value; },
  })),
  notNumber.map((value): Mutation => ({ kind: 'wrong type (ZEGO appId)', apply: (r) => { r.target = { ...target(r), provider: 'zego', appId: value, roomId: 'r', streamId: 's', userId: 'u' }; delete target(r).region; delete target(r).streamKey; delete target(r).sid; delete target(r).channel; } })),
  fc.tuple(fc.constantFrom('target', 'metadata', 'mixTasks', 'mixTask'), notObject).map(([where, value]): Mutation => ({
    kind: `wrong type (${where})`,
    apply: (r) => {
      if (where === 'target') r.target = value;
      else if (where === 'metadata') r.metadata = Array.isArray(value) || value === null || typeof value !== 'object' ? value : [value];
      else if (isZego(r)) target(r).mixTasks = where === 'mixTasks' ? (Array.isArray(value) ? { 0: value } : value) : [value];
      else r.target = value;
    },
  })),
  fc.oneof(fc.constantFrom('ZEGO', 'Agora', '', 'zego ', 'agora\u0000', 'zegο', 'twitch'), fc.integer(), fc.constant(null)).map((value): Mutation => ({
    kind: 'bad provider',
    apply: (r) => { target(r).provider = value; },
  })),
  // Huge strings and hostile unicode beyond each limit.
  fc.tuple(fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 200_000 }), hostileChar).map(([top, i, extra, ch]): Mutation => ({
    kind: 'huge string',
    apply: (r) => {
      const { holder, field, max } = stringField(r, top, i);
      // Limits count code points (zod 4), so a surrogate pair counts once.
      holder[field] = ch.repeat(Math.ceil((max + extra) / [...ch].length));
    },
  })),
  fc.tuple(fc.boolean(), fc.nat()).map(([top, i]): Mutation => ({
    kind: 'empty string',
    apply: (r) => { const { holder, field } = stringField(r, top, i); holder[field] = ''; },
  })),
  fc.constantFrom('app-ü', '١٢٣', 'ａｐｐ', 'app id', 'app/../x', 'app\u0000', '😀', 'a'.repeat(65), '').map((appId): Mutation => ({
    kind: 'bad Agora App ID',
    apply: (r) => { r.target = { provider: 'agora', appId, region: 'na', streamKey: 'k' }; },
  })),
  fc.constantFrom(0, -1, -0.5, 1.5, 4294967296, 2 ** 53, -(2 ** 31), Number.MAX_VALUE, NaN, Infinity, -Infinity).map((appId): Mutation => ({
    kind: 'out-of-range ZEGO AppId',
    apply: (r) => { r.target = { provider: 'zego', appId, roomId: 'r', streamId: 's', userId: 'u' }; },
  })),
  fc.oneof(longString(257, 100_000), fc.constantFrom('€'.repeat(86), '😀'.repeat(65), '\ud800'.repeat(86), `${'a'.repeat(255)}é`)).map((reason): Mutation => ({
    kind: 'oversized reason',
    apply: (r) => { r.reason = reason; },
  })),
  fc.constantFrom('NA', 'us', 'na ', 'eu\u0000', '', 'ＮＡ', 'cn-north').map((region): Mutation => ({
    kind: 'bad Agora region',
    apply: (r) => { r.target = { provider: 'agora', appId: 'app', region, streamKey: 'k' }; },
  })),
  // Prototype pollution and unknown fields at every level.
  fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom('top', 'target', 'mixTask', 'metadata'), fc.constantFrom<unknown>({ polluted: 'yes' }, { isAdmin: true, toString: 'x' }, 'polluted', null)).map(([key, where, value]): Mutation => ({
    kind: `prototype key (${where})`,
    apply: (r) => {
      if (where === 'top') defineOwn(r, key, value);
      else if (where === 'target') defineOwn(target(r), key, value);
      else if (where === 'metadata') {
        const metadata: Json = {};
        defineOwn(metadata, key, typeof value === 'string' ? value : 'x');
        r.metadata = metadata;
      } else {
        const item: Json = { taskId: 't', userId: 'u' };
        defineOwn(item, key, value);
        r.target = { provider: 'zego', appId: 1, roomId: 'r', streamId: 's', userId: 'u', mixTasks: [item] };
      }
    },
  })),
  fc.tuple(fc.oneof(fc.constantFrom('toString', 'hasOwnProperty', 'valueOf', '$where', 'Target', 'violationID', 'secret', ' target'), fc.string({ minLength: 1, maxLength: 40 })), fc.constantFrom('top', 'target'), fc.anything({ maxDepth: 2 })).map(([key, where, value]): Mutation => ({
    kind: `unknown field (${where})`,
    apply: (r) => {
      const holder = where === 'top' ? r : target(r);
      // A key that happens to be a real field would not make the request invalid: use a variant.
      const known = ['violationId', 'reason', 'category', 'dryRun', 'metadata', 'target', 'provider', 'appId', 'roomId', 'streamId', 'userId', 'kick', 'mixTasks', 'region', 'streamKey', 'sid', 'channel'];
      defineOwn(holder, known.includes(key) ? `${key}_` : key, value === undefined ? null : value);
    },
  })),
  fc.integer({ min: 500, max: 5_000 }).map((count): Mutation => ({
    kind: 'thousands of unknown fields',
    apply: (r) => { for (let i = 0; i < count; i++) r[`field_${i}_${'x'.repeat(40)}`] = i; },
  })),
  fc.constantFrom('violationId', 'target', 'provider', 'appId', 'roomId', 'streamId', 'userId', 'region', 'streamKey', 'taskId').map((field): Mutation => ({
    kind: 'missing required field',
    apply: (r) => {
      if (field === 'violationId' || field === 'target') delete r[field];
      else if (field === 'taskId') r.target = { provider: 'zego', appId: 1, roomId: 'r', streamId: 's', userId: 'u', mixTasks: [{ userId: 'u' }] };
      else if (['roomId', 'streamId', 'userId'].includes(field)) r.target = { ...{ provider: 'zego', appId: 1, roomId: 'r', streamId: 's', userId: 'u' }, [field]: undefined };
      else if (['region', 'streamKey'].includes(field)) r.target = { ...{ provider: 'agora', appId: 'a', region: 'na', streamKey: 'k' }, [field]: undefined };
      else delete target(r)[field];
    },
  })),
  // Too many entries, too long keys and values.
  fc.oneof(
    fc.integer({ min: 17, max: 200 }).map((n): Mutation => ({ kind: 'too many metadata entries', apply: (r) => { r.metadata = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])); } })),
    fc.integer({ min: 65, max: 100_000 }).map((n): Mutation => ({ kind: 'metadata key too long', apply: (r) => { r.metadata = { ['k'.repeat(n)]: 'v' }; } })),
    fc.integer({ min: 1025, max: 200_000 }).map((n): Mutation => ({ kind: 'metadata value too long', apply: (r) => { r.metadata = { score: '9'.repeat(n) }; } })),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 1 })).map((v): Mutation => ({ kind: 'metadata value not a string', apply: (r) => { r.metadata = { score: v }; } })),
    fc.constant<Mutation>({ kind: 'empty metadata key', apply: (r) => { r.metadata = { '': 'v' }; } }),
    fc.integer({ min: 51, max: 2_000 }).map((n): Mutation => ({
      kind: 'too many mix tasks',
      apply: (r) => { r.target = { provider: 'zego', appId: 1, roomId: 'r', streamId: 's', userId: 'u', mixTasks: Array.from({ length: n }, (_, i) => ({ taskId: `t${i}`, userId: 'u' })) }; },
    })),
  ),
  // Fields of the other provider.
  fc.constantFrom('region', 'streamKey', 'roomId', 'mixTasks').map((field): Mutation => ({
    kind: 'field of the other provider',
    apply: (r) => { target(r)[isZego(r) ? (field === 'roomId' || field === 'mixTasks' ? 'region' : field) : field === 'region' || field === 'streamKey' ? 'roomId' : field] = field === 'mixTasks' ? [] : 'x'; },
  })),
  // Deep nesting where an id is expected.
  fc.integer({ min: 10, max: 400 }).map((depth): Mutation => ({
    kind: 'deeply nested value',
    apply: (r) => {
      let value: unknown = 'x';
      for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { v: value };
      r.violationId = value;
    },
  })),
];

const mutated: fc.Arbitrary<HostileInput> = fc
  .tuple(validRequest, fc.array(fc.oneof(...mutations), { minLength: 1, maxLength: 3 }))
  .map(([request, applied]) => {
    const copy = structuredClone(request) as Json;
    for (const mutation of applied) mutation.apply(copy);
    return { kinds: applied.map((m) => m.kind), input: copy };
  });

/** Not an object at all, or an object of random shape. */
const junk: fc.Arbitrary<HostileInput> = fc
  .oneof(
    fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.anything())).map((input) => ({ kinds: ['not an object'], input })),
    fc.object({ maxDepth: 3 }).map((input) => ({ kinds: ['random object'], input })),
    fc.jsonValue({ maxDepth: 4 }).map((input) => ({ kinds: ['random JSON'], input })),
  );

/** The hostile-input generator: mostly mutated valid requests, some junk. */
export const hostileInput: fc.Arbitrary<HostileInput> = fc.oneof({ weight: 9, arbitrary: mutated }, { weight: 1, arbitrary: junk });
