import { createHash } from 'node:crypto';
import type { MockAgent } from 'undici';
import {
  ProviderRejectedError,
  ProviderRequestError,
  ProviderResponseError,
  ProviderUnknownAnswerError,
} from '../../../src/providers/errors';
import { isForbidUserRuleFor, ZegoClient, type ZegoForbidUserRule } from '../../../src/providers/zego';
import { expectNoSecrets, mockAgent, providerErrorOf, queryOf, ZEGO_ORIGIN, zegoAction, type Sent } from './mock';

const APP_ID = 1234567890;
const SECRET = '00112233445566778899aabbccddeeff';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const OK = { Code: 0, Message: 'success', RequestId: 'TestRequestId1675674022729915000' };
const ROOM_BAN = { scope: 'room', roomId: 'room 1', userId: 'host-42' } as const;
const APP_BAN = { scope: 'app', userId: 'host-42' } as const;

let agent: MockAgent;
let client: ZegoClient;

beforeEach(() => {
  agent = mockAgent();
  client = new ZegoClient({
    apps: [{ appId: APP_ID, serverSecret: SECRET }],
    operatorUserId: 'Server-Administrator',
    dispatcher: agent,
    now: () => NOW,
  });
});

afterEach(async () => {
  await client.close();
  await agent.close();
});

/** Answers one GET of `action` with `body` and records what was sent. */
function answer(action: string, body: unknown = OK): Sent[] {
  const sent: Sent[] = [];
  agent
    .get(ZEGO_ORIGIN)
    .intercept({ path: zegoAction(action), method: 'GET' })
    .reply((opts) => {
      sent.push(opts);
      return { statusCode: 200, data: JSON.stringify(body) };
    });
  return sent;
}

function rawQuery(sent: Sent): string {
  return sent.path.slice(sent.path.indexOf('?') + 1);
}

/** The business parameters, in order: everything after the common ones. */
function businessParams(sent: Sent): [string, string][] {
  const common = new Set(['Action', 'AppId', 'SignatureNonce', 'Timestamp', 'Signature', 'SignatureVersion', 'IsTest']);
  return [...queryOf(sent.path).entries()].filter(([key]) => !common.has(key));
}

function expectSigned(sent: Sent, action: string): void {
  const q = queryOf(sent.path);
  expect(sent.method).toBe('GET');
  expect(sent.body ?? undefined).toBeUndefined();
  expect(q.get('Action')).toBe(action);
  expect(q.get('AppId')).toBe(String(APP_ID));
  expect(q.get('SignatureVersion')).toBe('2.0');
  expect(q.get('Timestamp')).toBe(String(Math.floor(NOW / 1000)));
  const signature = createHash('md5').update(`${APP_ID}${q.get('SignatureNonce')}${SECRET}${q.get('Timestamp')}`).digest('hex');
  expect(q.get('Signature')).toBe(signature);
  expect(sent.path).not.toContain(SECRET);
}

describe('SetForbidUserRule', () => {
  it('bans login and publish in one room: RuleType 4, RoomId, UserId, DisabledPrivilege[] 1 and 2, EffectiveTime', async () => {
    const sent = answer('SetForbidUserRule', { ...OK, Data: { ExpireTime: 1767326645 } });
    const result = await client.setForbidUserRule(APP_ID, { ...ROOM_BAN, effectiveTime: 3_600 });
    expect(result).toEqual({ outcome: 'done', providerCode: 0, requestId: OK.RequestId, expireTime: 1767326645 });
    expectSigned(sent[0]!, 'SetForbidUserRule');
    expect(businessParams(sent[0]!)).toEqual([
      ['RuleType', '4'],
      ['RoomId', 'room 1'],
      ['UserId', 'host-42'],
      ['DisabledPrivilege[]', '1'],
      ['DisabledPrivilege[]', '2'],
      ['EffectiveTime', '3600'],
    ]);
    expect(rawQuery(sent[0]!)).toContain('&RoomId=room%201&UserId=host-42&DisabledPrivilege%5B%5D=1&DisabledPrivilege%5B%5D=2&');
  });

  it('bans the user in every room of the app with RuleType 3 and no RoomId', async () => {
    const sent = answer('SetForbidUserRule', { ...OK, Data: { ExpireTime: 1767326645 } });
    await client.setForbidUserRule(APP_ID, { ...APP_BAN, effectiveTime: 86_400 });
    expect(businessParams(sent[0]!)).toEqual([
      ['RuleType', '3'],
      ['UserId', 'host-42'],
      ['DisabledPrivilege[]', '1'],
      ['DisabledPrivilege[]', '2'],
      ['EffectiveTime', '86400'],
    ]);
  });

  it.each([1, 86_400])('accepts an EffectiveTime of %d s', async (seconds) => {
    const sent = answer('SetForbidUserRule', { ...OK, Data: { ExpireTime: 1 } });
    await client.setForbidUserRule(APP_ID, { ...ROOM_BAN, effectiveTime: seconds });
    expect(queryOf(sent[0]!.path).get('EffectiveTime')).toBe(String(seconds));
  });

  it.each([0, 86_401, 1.5, -60, Number.NaN])('refuses an EffectiveTime of %d s before sending', async (seconds) => {
    const sent = answer('SetForbidUserRule');
    const err = await providerErrorOf(client.setForbidUserRule(APP_ID, { ...ROOM_BAN, effectiveTime: seconds }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe(
      `zego SetForbidUserRule refused before sending: EffectiveTime must be an integer from 1 to 86400 seconds (got ${seconds})`,
    );
    expect(sent).toHaveLength(0);
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  it.each([
    ['an unknown scope', { scope: 'ip', userId: 'u' }, 'scope must be room or app'],
    ['an empty UserId', { scope: 'app', userId: '' }, 'UserId must not be empty'],
    ['a room ban without a RoomId', { scope: 'room', roomId: '', userId: 'u' }, 'RoomId must not be empty'],
  ])('refuses %s before sending', async (_label, target, reason) => {
    const sent = answer('SetForbidUserRule');
    const rule = { ...target, effectiveTime: 60 } as Parameters<ZegoClient['setForbidUserRule']>[1];
    const err = await providerErrorOf(client.setForbidUserRule(APP_ID, rule));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe(`zego SetForbidUserRule refused before sending: ${reason}`);
    expect(sent).toHaveLength(0);
  });

  it('rejects a full rule quota (50123) with a message saying so', async () => {
    answer('SetForbidUserRule', { Code: 50123, Message: 'too many rules', RequestId: 'q1' });
    const err = await providerErrorOf(client.setForbidUserRule(APP_ID, { ...APP_BAN, effectiveTime: 60 }));
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err.message).toBe('zego SetForbidUserRule answered Code 50123 (ban rule quota full: too many active rules of this rule type)');
    expect(err).toMatchObject({ providerCode: 50123, requestId: 'q1' });
  });

  it.each([
    ['no Data', OK, 'Data: expected object'],
    ['a null Data', { ...OK, Data: null }, 'Data: expected object'],
    ['no ExpireTime', { ...OK, Data: {} }, 'Data.ExpireTime: expected number'],
    ['a text ExpireTime', { ...OK, Data: { ExpireTime: '1767326645' } }, 'Data.ExpireTime: expected number'],
  ])('names the field of an answer with %s', async (_label, body, problem) => {
    answer('SetForbidUserRule', body);
    const err = await providerErrorOf(client.setForbidUserRule(APP_ID, { ...APP_BAN, effectiveTime: 60 }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe(`zego SetForbidUserRule answered an unexpected shape: ${problem}`);
    expect(err).toMatchObject({ providerCode: 0, requestId: OK.RequestId });
  });
});

describe('DescribeForbidUserRules', () => {
  const DOCS_EXAMPLE = {
    ...OK,
    Data: {
      RuleList: [
        { RuleType: 4, IP: '', RoomId: 'room1', UserId: 'user1', DisabledPrivilegeList: [1, 2], ExpireTime: 1704282648 },
        { RuleType: 4, IP: '', RoomId: 'room2', UserId: 'user1', DisabledPrivilegeList: [1], ExpireTime: 1704282000 },
      ],
    },
  };

  it('sends only the scope’s RuleType and returns the rules, dropping the empty keys', async () => {
    const sent = answer('DescribeForbidUserRules', DOCS_EXAMPLE);
    const result = await client.describeForbidUserRules(APP_ID, { scope: 'room' });
    expectSigned(sent[0]!, 'DescribeForbidUserRules');
    expect(businessParams(sent[0]!)).toEqual([['RuleType', '4']]);
    expect(result).toEqual({
      outcome: 'done',
      providerCode: 0,
      requestId: OK.RequestId,
      rules: [
        { ruleType: 4, roomId: 'room1', userId: 'user1', disabledPrivileges: [1, 2], expireTime: 1704282648 },
        { ruleType: 4, roomId: 'room2', userId: 'user1', disabledPrivileges: [1], expireTime: 1704282000 },
      ],
    });
  });

  it('asks for RuleType 3 for the app scope, and tolerates absent or null keys', async () => {
    const sent = answer('DescribeForbidUserRules', {
      ...OK,
      Data: { RuleList: [{ RuleType: 3, RoomId: null, UserId: 'user1', DisabledPrivilegeList: [1, 2], ExpireTime: 5 }] },
    });
    const result = await client.describeForbidUserRules(APP_ID, { scope: 'app' });
    expect(businessParams(sent[0]!)).toEqual([['RuleType', '3']]);
    expect(result.rules).toEqual([{ ruleType: 3, userId: 'user1', disabledPrivileges: [1, 2], expireTime: 5 }]);
  });

  it.each([
    ['a null RuleList', { ...OK, Data: { RuleList: null } }],
    ['a null Data', { ...OK, Data: null }],
    ['an empty RuleList', { ...OK, Data: { RuleList: [] } }],
  ])('reads %s as no rules', async (_label, body) => {
    answer('DescribeForbidUserRules', body);
    await expect(client.describeForbidUserRules(APP_ID, { scope: 'app' })).resolves.toMatchObject({ rules: [] });
  });

  it.each([
    ['no Data', OK, 'Data: expected object'],
    ['no RuleList', { ...OK, Data: {} }, 'Data.RuleList: expected array'],
    [
      'a text ExpireTime',
      { ...OK, Data: { RuleList: [DOCS_EXAMPLE.Data.RuleList[0], { ...DOCS_EXAMPLE.Data.RuleList[1], ExpireTime: 'soon' }] } },
      'Data.RuleList[1].ExpireTime: expected number',
    ],
    [
      'no DisabledPrivilegeList',
      { ...OK, Data: { RuleList: [{ RuleType: 3, UserId: 'u', ExpireTime: 5 }] } },
      'Data.RuleList[0].DisabledPrivilegeList: expected array',
    ],
    [
      'a text RuleType',
      { ...OK, Data: { RuleList: [{ ...DOCS_EXAMPLE.Data.RuleList[0], RuleType: '4' }] } },
      'Data.RuleList[0].RuleType: expected number',
    ],
  ])('names the field of an answer with %s', async (_label, body, problem) => {
    answer('DescribeForbidUserRules', body);
    const err = await providerErrorOf(client.describeForbidUserRules(APP_ID, { scope: 'room' }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe(`zego DescribeForbidUserRules answered an unexpected shape: ${problem}`);
  });

  it('refuses an unknown scope before sending', async () => {
    const sent = answer('DescribeForbidUserRules');
    const err = await providerErrorOf(client.describeForbidUserRules(APP_ID, { scope: 'everyone' as 'app' }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe('zego DescribeForbidUserRules refused before sending: scope must be room or app');
    expect(sent).toHaveLength(0);
  });
});

describe('DelForbidUserRule', () => {
  it('sends the rule’s keys only (RuleType 4, RoomId, UserId): no privileges, no time', async () => {
    const sent = answer('DelForbidUserRule');
    await expect(client.delForbidUserRule(APP_ID, ROOM_BAN)).resolves.toEqual({
      outcome: 'done',
      providerCode: 0,
      requestId: OK.RequestId,
    });
    expectSigned(sent[0]!, 'DelForbidUserRule');
    expect(businessParams(sent[0]!)).toEqual([
      ['RuleType', '4'],
      ['RoomId', 'room 1'],
      ['UserId', 'host-42'],
    ]);
  });

  it('deletes an app-wide rule with RuleType 3 and UserId', async () => {
    const sent = answer('DelForbidUserRule');
    await client.delForbidUserRule(APP_ID, APP_BAN);
    expect(businessParams(sent[0]!)).toEqual([
      ['RuleType', '3'],
      ['UserId', 'host-42'],
    ]);
  });

  it('is already done when the rule does not exist (50124)', async () => {
    answer('DelForbidUserRule', { Code: 50124, Message: 'rule not exist', RequestId: 'd1' });
    await expect(client.delForbidUserRule(APP_ID, ROOM_BAN)).resolves.toEqual({
      outcome: 'already-done',
      providerCode: 50124,
      requestId: 'd1',
    });
  });

  it('refuses a target without a UserId before sending', async () => {
    const sent = answer('DelForbidUserRule');
    const err = await providerErrorOf(client.delForbidUserRule(APP_ID, { scope: 'app', userId: '' }));
    expect(err.message).toBe('zego DelForbidUserRule refused before sending: UserId must not be empty');
    expect(sent).toHaveLength(0);
  });
});

describe('secrets', () => {
  it('redacts a server secret echoed in an unknown answer to a rule call', async () => {
    answer('SetForbidUserRule', { Code: 31337, Message: `secret ${SECRET} rejected`, RequestId: 'r' });
    const err = (await providerErrorOf(client.setForbidUserRule(APP_ID, { ...APP_BAN, effectiveTime: 60 }))) as ProviderUnknownAnswerError;
    expect(err).toBeInstanceOf(ProviderUnknownAnswerError);
    expect(err.message).toBe('zego SetForbidUserRule answered Code 31337 (not in the zego code table): "secret <redacted> rejected"');
    expectNoSecrets(err, [SECRET]);
  });

  it.each([
    ['a refusal', () => client.setForbidUserRule(APP_ID, { ...APP_BAN, effectiveTime: 0 })],
    ['a shape error', () => client.describeForbidUserRules(APP_ID, { scope: 'app' })],
    ['a rejection', () => client.delForbidUserRule(APP_ID, APP_BAN)],
  ])('keeps the secret out of %s', async (_label, run) => {
    answer('DescribeForbidUserRules', { ...OK, Data: { RuleList: [{ RuleType: SECRET }] } });
    answer('DelForbidUserRule', { Code: 2, Message: SECRET, RequestId: 'r' });
    expectNoSecrets(await providerErrorOf(run()), [SECRET]);
  });
});

describe('isForbidUserRuleFor', () => {
  const roomRule: ZegoForbidUserRule = { ruleType: 4, roomId: 'room 1', userId: 'host-42', disabledPrivileges: [1, 2], expireTime: 9 };
  const appRule: ZegoForbidUserRule = { ruleType: 3, userId: 'host-42', disabledPrivileges: [1, 2], expireTime: 9 };

  it('matches a rule of the same type and keys', () => {
    expect(isForbidUserRuleFor(roomRule, ROOM_BAN)).toBe(true);
    expect(isForbidUserRuleFor(appRule, APP_BAN)).toBe(true);
  });

  it('does not match another room, another user, or the other scope', () => {
    expect(isForbidUserRuleFor({ ...roomRule, roomId: 'room 2' }, ROOM_BAN)).toBe(false);
    expect(isForbidUserRuleFor({ ...roomRule, userId: 'host-43' }, ROOM_BAN)).toBe(false);
    expect(isForbidUserRuleFor(roomRule, APP_BAN)).toBe(false);
    expect(isForbidUserRuleFor(appRule, ROOM_BAN)).toBe(false);
  });
});
