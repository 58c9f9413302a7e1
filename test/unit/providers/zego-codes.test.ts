/**
 * Every row of the ZEGO code table, answered to every operation it applies to, gives the right
 * result or error. DESIGN.md's semantics table is checked separately, as literal data, so that a
 * wrong row in ZEGO_CODES cannot pass by agreeing with itself.
 */
import type { MockAgent } from 'undici';
import {
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderRetryableError,
  ProviderUnknownAnswerError,
} from '../../../src/providers/errors';
import { Classification, type CodeRow, type ProviderResult } from '../../../src/providers/types';
import { classifyZego, ZEGO_CODES, ZegoClient, ZegoOperation } from '../../../src/providers/zego';
import { expectNoSecrets, mockAgent, providerErrorOf, ZEGO_ORIGIN, zegoAction } from './mock';

const APP_ID = 1234567890;
const SECRET = '00112233445566778899aabbccddeeff';
const OPERATIONS = Object.values(ZegoOperation);

function call(client: ZegoClient, operation: ZegoOperation): Promise<ProviderResult> {
  switch (operation) {
    case 'DeleteStream':
      return client.deleteStream(APP_ID, { roomId: 'room-1', streamId: 'stream-1' });
    case 'StopMix':
      return client.stopMix(APP_ID, { taskId: 'mix-7', userId: 'mix-owner' });
    case 'KickoutUser':
      return client.kickoutUser(APP_ID, { roomId: 'room-1', userIds: ['host-42'] });
    case 'DescribeSimpleStreamList':
      return client.describeSimpleStreamList(APP_ID, { roomId: 'room-1' });
    case 'SetForbidUserRule':
      return client.setForbidUserRule(APP_ID, { scope: 'room', roomId: 'room-1', userId: 'host-42', effectiveTime: 3_600 });
    case 'DescribeForbidUserRules':
      return client.describeForbidUserRules(APP_ID, { scope: 'app' });
    case 'DelForbidUserRule':
      return client.delForbidUserRule(APP_ID, { scope: 'app', userId: 'host-42' });
  }
}

const ERROR_CLASS = {
  [Classification.retryable]: ProviderRetryableError,
  [Classification.rateLimited]: ProviderRateLimitedError,
  [Classification.rejected]: ProviderRejectedError,
} as const;

let agent: MockAgent;
let client: ZegoClient;

beforeEach(() => {
  agent = mockAgent();
  client = new ZegoClient({ apps: [{ appId: APP_ID, serverSecret: SECRET }], operatorUserId: 'Server-Administrator', dispatcher: agent });
});

afterEach(async () => {
  await client.close();
  await agent.close();
});

function answer(operation: ZegoOperation, body: unknown): void {
  agent
    .get(ZEGO_ORIGIN)
    .intercept({ path: zegoAction(operation), method: operation === 'StopMix' ? 'POST' : 'GET' })
    .reply(200, typeof body === 'string' ? body : JSON.stringify(body));
}

/** Each row with each operation for which that row is the one found (a specific row shadows a generic one). */
const cases: [ZegoOperation, number, CodeRow][] = ZEGO_CODES.flatMap((row) =>
  (row.operations ?? OPERATIONS)
    .filter((operation) => classifyZego(operation as ZegoOperation, row.code) === row)
    .map((operation): [ZegoOperation, number, CodeRow] => [operation as ZegoOperation, row.code, row]),
);

describe('ZEGO_CODES through the client', () => {
  it('covers every row at least once', () => {
    expect(new Set(cases.map(([, , row]) => row)).size).toBe(ZEGO_CODES.length);
  });

  it.each(cases)('%s answered Code %d', async (operation, code, row) => {
    answer(operation, { Code: code, Message: 'provider says no', RequestId: 'req-77' });
    if (row.classification === Classification.alreadyDone) {
      const result = await call(client, operation);
      expect(result).toMatchObject({ outcome: 'already-done', providerCode: code, requestId: 'req-77' });
      return;
    }
    const err = await providerErrorOf(call(client, operation));
    expect(err).toBeInstanceOf(ERROR_CLASS[row.classification]);
    expect(err.message).toBe(`zego ${operation} answered Code ${code} (${row.meaning})`);
    expect(err).toMatchObject({ provider: 'zego', operation, providerCode: code, requestId: 'req-77' });
    if (err instanceof ProviderRateLimitedError) expect(err.retryAfterMs).toBeUndefined();
    expectNoSecrets(err, [SECRET]);
  });

  it('cites a section of the providers notes on every row', () => {
    for (const row of ZEGO_CODES) expect(row.source).toMatch(/^zego\.md §\d/);
  });
});

describe('DESIGN.md semantics table (literal)', () => {
  const retry = [1, 124, 100000004, 100000015, 110200001, 110200005, 110200006];
  const rateLimited = [206, 207, 110200190, 110200191, 110200194];
  const rejected = [100000005, 100000010, 100000011, 2, 3, 9, 50011, 110200002, 110200003, 110200004, 110200160];
  const alreadyDone: [ZegoOperation, number][] = [
    ['DeleteStream', 138],
    ['DeleteStream', 50001],
    ['DeleteStream', 104],
    ['DeleteStream', 5024],
    ['KickoutUser', 50001],
    ['KickoutUser', 104],
    ['KickoutUser', 5024],
    ['StopMix', 110209001],
  ];

  it.each(OPERATIONS)('%s: retryable, rate-limited and rejected codes', (operation) => {
    for (const code of retry) expect(classifyZego(operation, code)?.classification).toBe('retryable');
    for (const code of rateLimited) expect(classifyZego(operation, code)?.classification).toBe('rate-limited');
    for (const code of rejected) expect(classifyZego(operation, code)?.classification).toBe('rejected');
  });

  it.each(alreadyDone)('%s Code %d is already done', (operation, code) => {
    expect(classifyZego(operation, code)?.classification).toBe('already-done');
  });

  it('keeps operation-specific "already done" codes to their operations', () => {
    expect(classifyZego('SetForbidUserRule', 50124)).toBeUndefined();
    expect(classifyZego('DescribeForbidUserRules', 50124)).toBeUndefined();
    expect(classifyZego('DeleteStream', 50124)).toBeUndefined();
    expect(classifyZego('StopMix', 138)).toBeUndefined();
    expect(classifyZego('KickoutUser', 138)).toBeUndefined();
    expect(classifyZego('DeleteStream', 110209001)).toBeUndefined();
    expect(classifyZego('StopMix', 50001)).toBeUndefined();
  });
});

describe('user-ban rule codes (zego.md §3.2, §4.14, §6; literal)', () => {
  const RULE_OPERATIONS: ZegoOperation[] = ['SetForbidUserRule', 'DescribeForbidUserRules', 'DelForbidUserRule'];

  it.each(RULE_OPERATIONS)('%s: 50123 is a rejection saying the rule quota is full', (operation) => {
    const row = classifyZego(operation, 50123);
    expect(row?.classification).toBe('rejected');
    expect(row?.meaning).toMatch(/quota full/);
  });

  it.each(RULE_OPERATIONS)('%s: the pages’ codes 1 retry, 2 and 9 reject, 206 and 207 are rate-limited', (operation) => {
    expect(classifyZego(operation, 1)?.classification).toBe('retryable');
    expect(classifyZego(operation, 2)?.classification).toBe('rejected');
    expect(classifyZego(operation, 9)?.classification).toBe('rejected');
    expect(classifyZego(operation, 206)?.classification).toBe('rate-limited');
    expect(classifyZego(operation, 207)?.classification).toBe('rate-limited');
  });

  it('50124 (no such rule) is already done for DelForbidUserRule only', () => {
    expect(classifyZego('DelForbidUserRule', 50124)?.classification).toBe('already-done');
  });

  it('50123 is not read as a rule quota outside the rule APIs', () => {
    expect(classifyZego('DeleteStream', 50123)).toBeUndefined();
  });

  it('a room that is gone is not "already done" for a rule (a room ban needs no live room)', () => {
    for (const code of [104, 5024, 50001]) expect(classifyZego('SetForbidUserRule', code)).toBeUndefined();
  });
});

describe('codes not in the table', () => {
  it.each([
    ['DeleteStream', 424242],
    ['StopMix', 138],
    ['KickoutUser', 110209001],
    ['SetForbidUserRule', 50124],
    ['DescribeForbidUserRules', 50124],
  ] as [ZegoOperation, number][])('%s answered Code %d → ProviderUnknownAnswerError with the raw body', async (operation, code) => {
    const body = JSON.stringify({ Code: code, Message: 'mystery', RequestId: 'req-9' });
    answer(operation, body);
    const err = await providerErrorOf(call(client, operation));
    expect(err).toBeInstanceOf(ProviderUnknownAnswerError);
    expect(err.message).toBe(`zego ${operation} answered Code ${code} (not in the zego code table): "mystery"`);
    expect(err).toMatchObject({ providerCode: code, requestId: 'req-9', raw: body });
  });

  it('truncates raw to 2 KiB', async () => {
    answer('DeleteStream', { Code: 31337, Message: 'é'.repeat(5000), RequestId: 'r' });
    const err = (await providerErrorOf(call(client, 'DeleteStream'))) as ProviderUnknownAnswerError;
    expect(Buffer.byteLength(err.raw)).toBeLessThanOrEqual(2048);
    expect(err.raw.startsWith('{"Code":31337')).toBe(true);
    expect(err.message.length).toBeLessThan(400);
  });

  it('redacts a server secret the provider would echo', async () => {
    answer('DeleteStream', { Code: 31337, Message: `bad secret ${SECRET}`, RequestId: 'r' });
    const err = (await providerErrorOf(call(client, 'DeleteStream'))) as ProviderUnknownAnswerError;
    expect(err.message).toContain('<redacted>');
    expect(err.raw).toContain('<redacted>');
    expectNoSecrets(err, [SECRET]);
  });
});
