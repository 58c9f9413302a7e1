/** ZEGO user-ban rules: SetForbidUserRule, DescribeForbidUserRules, DelForbidUserRule (zego.md §4.14), over HTTP. */
import { DEFAULT_RATE_LIMITS, DEFAULT_RULE_CAPS, startSandbox, type Sandbox } from '../../../src/sandbox';
import { burstUntilThrottled, eventually, expectWindowsRespected, form, zego } from './helpers';

const APP = { appId: 3141592653, serverSecret: 'abcdefabcdefabcdefabcdefabcdef12' };
const OTHER_APP = { appId: 2718281828, serverSecret: '12abcdefabcdefabcdefabcdefabcdef' };
const RULE_BUCKETS = ['zego.SetForbidUserRule', 'zego.DescribeForbidUserRules', 'zego.DelForbidUserRule'] as const;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ zegoApps: [APP, OTHER_APP] });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await sandbox.control.reset();
  await sandbox.control.configure({
    rateLimits: Object.fromEntries(RULE_BUCKETS.map((name) => [name, Infinity])),
    ruleCaps: DEFAULT_RULE_CAPS,
  });
});

type Fields = Record<string, string | string[]>;
const call = (action: string, fields: Fields, app = APP) => zego(sandbox.url, { appId: app.appId, secret: app.serverSecret, action, query: form(fields) });
const set = (fields: Fields, app = APP) => call('SetForbidUserRule', fields, app);
const describe_ = (ruleType: string, app = APP) => call('DescribeForbidUserRules', { RuleType: ruleType }, app);
const del = (fields: Fields, app = APP) => call('DelForbidUserRule', fields, app);
const roomUserRule = (effectiveTime = '600', userId = 'violator'): Fields => ({
  RuleType: '4',
  RoomId: 'room-1',
  UserId: userId,
  DisabledPrivilege: ['1', '2'],
  EffectiveTime: effectiveTime,
});

describe('SetForbidUserRule', () => {
  test('stores a rule and answers its ExpireTime in Unix seconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { body } = await set(roomUserRule('600'));
    const after = Math.floor(Date.now() / 1000);
    expect(body).toMatchObject({ Code: 0, Message: 'success', RequestId: expect.stringMatching(/^\d+$/) });
    const expireTime = (body.Data as { ExpireTime: number }).ExpireTime;
    expect(expireTime).toBeGreaterThanOrEqual(before + 600);
    expect(expireTime).toBeLessThanOrEqual(after + 600);

    const { zego: rules } = await sandbox.control.rules();
    expect(rules).toEqual([
      {
        appId: APP.appId,
        ruleType: 4,
        roomId: 'room-1',
        userId: 'violator',
        disabledPrivileges: [1, 2],
        createdAt: expect.any(String),
        expireTime,
        expiresAt: new Date(expireTime * 1000).toISOString(),
        active: true,
      },
    ]);
  });

  test.each([
    ['1', { IP: '203.0.113.7' }, { ip: '203.0.113.7' }],
    ['2', { RoomId: 'room-1' }, { roomId: 'room-1' }],
    ['3', { UserId: 'violator' }, { userId: 'violator' }],
  ])('RuleType %s is keyed on its own parameter only', async (ruleType, keys, stored) => {
    // The parameters a type does not use are ignored, not stored.
    const { body } = await set({ RuleType: ruleType, IP: '198.51.100.1', RoomId: 'r', UserId: 'u', ...keys, DisabledPrivilege: '1', EffectiveTime: '60' });
    expect(body.Code).toBe(0);
    const [rule] = (await sandbox.control.rules()).zego;
    expect(rule).toEqual(expect.objectContaining({ ruleType: Number(ruleType), ...stored }));
    expect(Object.keys(rule!).filter((name) => ['ip', 'roomId', 'userId'].includes(name))).toEqual(Object.keys(stored));
  });

  test.each([
    ['RuleType missing', { RoomId: 'r', UserId: 'u', DisabledPrivilege: '1', EffectiveTime: '60' }, 'RuleType is required'],
    ['RuleType 5', { RuleType: '5', DisabledPrivilege: '1', EffectiveTime: '60' }, 'RuleType must be 1, 2, 3 or 4'],
    ['RuleType 4 without UserId', { RuleType: '4', RoomId: 'r', DisabledPrivilege: '1', EffectiveTime: '60' }, 'UserId is required when RuleType is 4'],
    ['RuleType 1 without IP', { RuleType: '1', DisabledPrivilege: '1', EffectiveTime: '60' }, 'IP is required when RuleType is 1'],
    ['no DisabledPrivilege', { RuleType: '3', UserId: 'u', EffectiveTime: '60' }, 'DisabledPrivilege[] needs one or more of 1 (login) and 2 (publish)'],
    ['DisabledPrivilege 3', { RuleType: '3', UserId: 'u', DisabledPrivilege: ['1', '3'], EffectiveTime: '60' }, 'DisabledPrivilege[] needs one or more'],
    ['EffectiveTime missing', { RuleType: '3', UserId: 'u', DisabledPrivilege: '1' }, 'EffectiveTime is required'],
    ['EffectiveTime 0', { RuleType: '3', UserId: 'u', DisabledPrivilege: '1', EffectiveTime: '0' }, 'EffectiveTime must be a whole number of seconds from 1 to 86400'],
    ['EffectiveTime 86401', { RuleType: '3', UserId: 'u', DisabledPrivilege: '1', EffectiveTime: '86401' }, 'from 1 to 86400'],
    ['EffectiveTime 1.5', { RuleType: '3', UserId: 'u', DisabledPrivilege: '1', EffectiveTime: '1.5' }, 'from 1 to 86400'],
    ['EffectiveTime -5', { RuleType: '3', UserId: 'u', DisabledPrivilege: '1', EffectiveTime: '-5' }, 'from 1 to 86400'],
  ])('%s is refused with 2 naming the problem, and nothing is stored', async (_label, fields, message) => {
    const { body } = await set(fields);
    expect(body.Code).toBe(2);
    expect(body.Message).toContain(message);
    expect((await sandbox.control.rules()).zego).toEqual([]);
  });

  test('EffectiveTime 86400, the documented maximum, is accepted', async () => {
    expect((await set(roomUserRule('86400'))).body.Code).toBe(0);
  });

  test('reads DisabledPrivilege[] in every array spelling', async () => {
    const path = 'RuleType=3&UserId=a&DisabledPrivilege%5B%5D=2&EffectiveTime=60';
    expect((await zego(sandbox.url, { appId: APP.appId, secret: APP.serverSecret, action: 'SetForbidUserRule', query: path })).body.Code).toBe(0);
    const bracketed = 'RuleType=3&UserId=b&DisabledPrivilege[]=1&DisabledPrivilege[]=2&EffectiveTime=60';
    expect((await zego(sandbox.url, { appId: APP.appId, secret: APP.serverSecret, action: 'SetForbidUserRule', query: bracketed })).body.Code).toBe(0);
    expect((await sandbox.control.rules()).zego.map((rule) => [rule.userId, rule.disabledPrivileges])).toEqual([
      ['a', [2]],
      ['b', [1, 2]],
    ]);
  });

  test('setting the same key again replaces the rule (privileges and expiry) and takes one place', async () => {
    const first = (await set({ ...roomUserRule('600'), DisabledPrivilege: '2' })).body.Data as { ExpireTime: number };
    const second = (await set(roomUserRule('60'))).body;
    expect(second.Code).toBe(0);
    const { ExpireTime } = second.Data as { ExpireTime: number };
    expect(ExpireTime).toBeLessThan(first.ExpireTime);
    expect((await sandbox.control.rules()).zego).toEqual([expect.objectContaining({ disabledPrivileges: [1, 2], expireTime: ExpireTime })]);
  });

  test('a cap on EffectiveTime replaces the upper bound: above it is a parameter error', async () => {
    await sandbox.control.configure({ ruleCaps: { zegoMaxEffectiveTimeSeconds: 3 } });
    const refused = await set(roomUserRule('4'));
    expect(refused.body).toMatchObject({ Code: 2, Message: 'input parameter error: EffectiveTime must be a whole number of seconds from 1 to 3' });
    expect((await set(roomUserRule('3'))).body.Code).toBe(0);
  });

  test('logs its parameters as sent', async () => {
    await set(roomUserRule('60'));
    const [entry] = await sandbox.control.requests({ operation: 'SetForbidUserRule' });
    expect(entry?.params).toMatchObject({ ruleType: '4', roomId: 'room-1', userId: 'violator', disabledPrivileges: ['1', '2'], effectiveTime: '60' });
  });
});

describe('the quota of rules in force', () => {
  test.each([
    ['1', 100, (i: number) => ({ IP: `10.0.0.${i}` })],
    ['4', 200, (i: number) => ({ RoomId: 'room-1', UserId: `user-${i}` })],
  ])('RuleType %s allows %i rules in force; one more is 50123 while a replacement still succeeds', async (ruleType, quota, keys) => {
    for (let i = 0; i < quota; i += 1) {
      const { body } = await set({ RuleType: ruleType, ...keys(i), DisabledPrivilege: '1', EffectiveTime: '600' });
      expect(body.Code).toBe(0);
    }
    const over = await set({ RuleType: ruleType, ...keys(quota), DisabledPrivilege: '1', EffectiveTime: '600' });
    expect(over.body).toMatchObject({ Code: 50123, Message: 'too many ban rules in force' });
    expect((await set({ RuleType: ruleType, ...keys(0), DisabledPrivilege: '2', EffectiveTime: '600' })).body.Code).toBe(0);
    // Another type has its own quota.
    expect((await set({ RuleType: '3', UserId: 'someone', DisabledPrivilege: '1', EffectiveTime: '600' })).body.Code).toBe(0);
    // Deleting one frees a place.
    expect((await del({ RuleType: ruleType, ...keys(1) })).body.Code).toBe(0);
    expect((await set({ RuleType: ruleType, ...keys(quota), DisabledPrivilege: '1', EffectiveTime: '600' })).body.Code).toBe(0);
  });

  test('expired rules do not count', async () => {
    for (let i = 0; i < 100; i += 1) await set({ RuleType: '1', IP: `10.0.1.${i}`, DisabledPrivilege: '1', EffectiveTime: '1' });
    await eventually(async () => expect((await sandbox.control.rules()).zego.every((rule) => !rule.active)).toBe(true), 3000);
    expect((await set({ RuleType: '1', IP: '10.0.2.1', DisabledPrivilege: '1', EffectiveTime: '60' })).body.Code).toBe(0);
  });

  test('is per app', async () => {
    for (let i = 0; i < 100; i += 1) await set({ RuleType: '1', IP: `10.0.3.${i}`, DisabledPrivilege: '1', EffectiveTime: '600' });
    expect((await set({ RuleType: '1', IP: '10.0.3.200', DisabledPrivilege: '1', EffectiveTime: '600' }, OTHER_APP)).body.Code).toBe(0);
  });
});

describe('DescribeForbidUserRules', () => {
  test('lists the rules of one type with the documented fields, "" for keys the type does not use', async () => {
    const expireTime = ((await set({ RuleType: '2', RoomId: 'room-9', DisabledPrivilege: ['1', '2'], EffectiveTime: '60' })).body.Data as { ExpireTime: number })
      .ExpireTime;
    await set(roomUserRule());
    const { body } = await describe_('2');
    expect(body).toMatchObject({ Code: 0 });
    expect(body.Data).toEqual({ RuleList: [{ RuleType: 2, IP: '', RoomId: 'room-9', UserId: '', DisabledPrivilegeList: [1, 2], ExpireTime: expireTime }] });
    expect(((await describe_('3')).body.Data as { RuleList: unknown[] }).RuleList).toEqual([]);
  });

  test('still lists a rule once it has expired', async () => {
    await set(roomUserRule('1'));
    await eventually(async () => expect((await sandbox.control.rules()).zego[0]?.active).toBe(false), 3000);
    expect(((await describe_('4')).body.Data as { RuleList: unknown[] }).RuleList).toHaveLength(1);
  });

  test.each([
    ['missing', undefined, 'RuleType is required'],
    ['0', '0', 'RuleType must be 1, 2, 3 or 4'],
  ])('RuleType %s is 2', async (_label, ruleType, message) => {
    const { body } = await call('DescribeForbidUserRules', ruleType === undefined ? {} : { RuleType: ruleType });
    expect(body).toMatchObject({ Code: 2, Message: `input parameter error: ${message}` });
  });

  test('lists only its own app rules', async () => {
    await set(roomUserRule());
    expect(((await describe_('4', OTHER_APP)).body.Data as { RuleList: unknown[] }).RuleList).toEqual([]);
  });
});

describe('DelForbidUserRule', () => {
  test('deletes the rule with that key; a second delete is 50124', async () => {
    await set(roomUserRule());
    await set(roomUserRule('600', 'bystander'));
    expect((await del({ RuleType: '4', RoomId: 'room-1', UserId: 'violator' })).body).toMatchObject({ Code: 0 });
    expect((await sandbox.control.rules()).zego.map((rule) => rule.userId)).toEqual(['bystander']);
    expect((await del({ RuleType: '4', RoomId: 'room-1', UserId: 'violator' })).body).toMatchObject({ Code: 50124, Message: 'the rule to delete does not exist' });
  });

  test('a rule of another type or key is not the one deleted', async () => {
    await set(roomUserRule());
    expect((await del({ RuleType: '3', UserId: 'violator' })).body.Code).toBe(50124);
    expect((await del({ RuleType: '4', RoomId: 'room-2', UserId: 'violator' })).body.Code).toBe(50124);
    expect((await sandbox.control.rules()).zego).toHaveLength(1);
  });

  test('an expired rule still listed can be deleted', async () => {
    await set(roomUserRule('1'));
    await eventually(async () => expect((await sandbox.control.rules()).zego[0]?.active).toBe(false), 3000);
    expect((await del({ RuleType: '4', RoomId: 'room-1', UserId: 'violator' })).body.Code).toBe(0);
  });

  test('needs the keys its RuleType requires', async () => {
    expect((await del({ RuleType: '4', UserId: 'violator' })).body).toMatchObject({ Code: 2, Message: 'input parameter error: RoomId is required when RuleType is 4' });
  });
});

describe('gateway and rate limits', () => {
  afterEach(() => sandbox.control.configure({ rateLimits: Object.fromEntries(RULE_BUCKETS.map((name) => [name, Infinity])) }));

  test('the documented limit is 10/s per app for each of the three Actions', async () => {
    const fresh = await startSandbox();
    const { rateLimits } = await fresh.control.config().finally(() => fresh.close());
    for (const name of RULE_BUCKETS) expect(rateLimits[name]).toEqual({ limit: 10, windowMs: 1000 });
    for (const name of RULE_BUCKETS) expect(DEFAULT_RATE_LIMITS[name].limit).toBe(10);
  });

  test.each([
    ['SetForbidUserRule', 'zego.SetForbidUserRule', () => set(roomUserRule())],
    ['DescribeForbidUserRules', 'zego.DescribeForbidUserRules', () => describe_('4')],
    ['DelForbidUserRule', 'zego.DelForbidUserRule', () => del({ RuleType: '3', UserId: 'nobody' })],
  ] as const)('%s past its limit answers 206', async (operation, bucket, send) => {
    await sandbox.control.configure({ rateLimits: { [bucket]: 2 } });
    await burstUntilThrottled(5, async () => (await send()).body.Code === 206);
    const log = await sandbox.control.requests({ operation });
    expectWindowsRespected(
      log.map((entry) => ({ at: entry.at, throttled: entry.code === 206 })),
      2,
    );
  });

  test('each Action has its own bucket', async () => {
    await sandbox.control.configure({ rateLimits: { 'zego.SetForbidUserRule': 0 } });
    expect((await set(roomUserRule())).body.Code).toBe(206);
    expect((await describe_('4')).body.Code).toBe(0);
  });

  test('a wrong signature is refused before anything is stored', async () => {
    const { body } = await zego(sandbox.url, { appId: APP.appId, secret: 'not-the-secret', action: 'SetForbidUserRule', query: form(roomUserRule()) });
    expect(body.Code).toBe(100000005);
    expect((await sandbox.control.rules()).zego).toEqual([]);
  });

  test('a fault can stand in for the Action, or lose its answer after the effect', async () => {
    await sandbox.control.injectFault({ provider: 'zego', operation: 'SetForbidUserRule', answer: { zegoCode: 1 } });
    expect((await set(roomUserRule())).body.Code).toBe(1);
    expect((await sandbox.control.rules()).zego).toEqual([]);
    await sandbox.control.injectFault({ provider: 'zego', operation: 'SetForbidUserRule', answer: { drop: true, afterEffect: true } });
    await expect(set(roomUserRule())).rejects.toThrow();
    expect((await sandbox.control.rules()).zego).toHaveLength(1);
  });
});
