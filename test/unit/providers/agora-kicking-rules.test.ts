import type { MockAgent } from 'undici';
import { AgoraClient, isKickingRuleFor, type AgoraKickingRuleInfo } from '../../../src/providers/agora';
import {
  ProviderRejectedError,
  ProviderRequestError,
  ProviderResponseError,
  ProviderUnknownAnswerError,
} from '../../../src/providers/errors';
import { AGORA_ORIGIN, expectNoSecrets, mockAgent, providerErrorOf, queryOf, sentHeader, type Sent } from './mock';

const CUSTOMER_ID = 'customer-1';
const SECRET = 'agora-customer-secret-0123456789';
const APP_ID = 'app0123456789abcdef';
const RULES = '/dev/v1/kicking-rule';
const BASIC = `Basic ${Buffer.from(`${CUSTOMER_ID}:${SECRET}`).toString('base64')}`;
/** The list answer of agora.md §7.2. */
const DOCS_RULE = {
  id: 1953,
  appid: APP_ID,
  uid: 589517928,
  opid: 1406,
  cname: '11',
  ip: '192.168.0.1',
  ts: '2026-01-09T07:23:06.000Z',
  privileges: ['join_channel'],
  createAt: '2026-01-09T06:23:06.000Z',
  updateAt: '2026-01-09T06:23:06.000Z',
};

let agent: MockAgent;
let client: AgoraClient;

beforeEach(() => {
  agent = mockAgent();
  client = new AgoraClient({ customerId: CUSTOMER_ID, customerSecret: SECRET, dispatcher: agent });
});

afterEach(async () => {
  await client.close();
  await agent.close();
});

interface Reply {
  status?: number;
  body?: string;
}

/** Answers one kicking-rule request of `method` (any query) and records what was sent. */
function answer(method: string, reply: Reply = {}): Sent[] {
  const sent: Sent[] = [];
  agent
    .get(AGORA_ORIGIN)
    .intercept({ method, path: (path) => path === RULES || path.startsWith(`${RULES}?`) })
    .reply((opts) => {
      sent.push(opts);
      return { statusCode: reply.status ?? 200, data: reply.body ?? '{"status":"success"}', responseOptions: { headers: { 'x-request-id': 'resp-1' } } };
    });
  return sent;
}

function expectAuthenticatedJson(sent: Sent): void {
  expect(sentHeader(sent, 'authorization')).toBe(BASIC);
  expect(sentHeader(sent, 'content-type')).toBe('application/json');
  expect(sentHeader(sent, 'accept')).toBe('application/json');
  expect(sentHeader(sent, 'x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
}

describe('ListKickingRules', () => {
  it('GETs the app’s rules with appid in the query, Basic auth and the JSON headers Agora lists', async () => {
    const sent = answer('GET', { body: JSON.stringify({ status: 'success', rules: [DOCS_RULE] }) });
    const result = await client.listKickingRules({ appId: APP_ID });
    const request = sent[0]!;
    expect(request.path).toBe(`${RULES}?appid=${APP_ID}`);
    expect(request.body ?? undefined).toBeUndefined();
    expectAuthenticatedJson(request);
    expect(result).toEqual({
      outcome: 'done',
      providerCode: 200,
      requestId: 'resp-1',
      rules: [{ id: 1953, cname: '11', uid: 589517928, ip: '192.168.0.1', expiresAt: '2026-01-09T07:23:06.000Z', privileges: ['join_channel'] }],
    });
  });

  it('URL-encodes the app id', async () => {
    const sent = answer('GET', { body: '{"status":"success","rules":[]}' });
    await client.listKickingRules({ appId: 'app id&x=1' });
    expect(sent[0]!.path).toBe(`${RULES}?appid=app%20id%26x%3D1`);
    expect(queryOf(sent[0]!.path).get('appid')).toBe('app id&x=1');
  });

  it('leaves out empty keys and a uid of 0, and tolerates a rule without ts', async () => {
    const rules = [
      { id: 7, cname: '', uid: 42, ip: '', ts: '2026-01-09T07:23:06.000Z', privileges: ['join_channel'] },
      { id: 8, cname: 'channel-1', uid: 0, ip: null, privileges: ['publish_audio', 'publish_video'] },
      { id: 9, uid: 43, privileges: ['join_channel'] },
    ];
    answer('GET', { body: JSON.stringify({ status: 'success', rules }) });
    const result = await client.listKickingRules({ appId: APP_ID });
    expect(result.rules).toEqual([
      { id: 7, uid: 42, expiresAt: '2026-01-09T07:23:06.000Z', privileges: ['join_channel'] },
      { id: 8, cname: 'channel-1', privileges: ['publish_audio', 'publish_video'] },
      { id: 9, uid: 43, privileges: ['join_channel'] },
    ]);
  });

  it('reads rules: null as no rules', async () => {
    answer('GET', { body: '{"status":"success","rules":null}' });
    await expect(client.listKickingRules({ appId: APP_ID })).resolves.toMatchObject({ rules: [] });
  });

  it.each([
    ['no rules', { status: 'success' }, 'rules: expected array'],
    ['a text id', { rules: [{ ...DOCS_RULE, id: '1953' }] }, 'rules[0].id: expected number'],
    ['a text uid', { rules: [DOCS_RULE, { ...DOCS_RULE, uid: '589517928' }] }, 'rules[1].uid: expected number'],
    ['no privileges', { rules: [{ id: 1, uid: 2 }] }, 'rules[0].privileges: expected array'],
  ])('names the field of an answer with %s', async (_label, body, problem) => {
    answer('GET', { body: JSON.stringify(body) });
    const err = await providerErrorOf(client.listKickingRules({ appId: APP_ID }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe(`agora ListKickingRules answered an unexpected shape: ${problem}`);
    expect(err).toMatchObject({ providerCode: 200, requestId: 'resp-1' });
  });

  it('refuses an empty app id before sending', async () => {
    const sent = answer('GET');
    const err = await providerErrorOf(client.listKickingRules({ appId: '' }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe('agora ListKickingRules refused before sending: appid must not be empty');
    expect(sent).toHaveLength(0);
  });
});

describe('UpdateKickingRule', () => {
  it('PUTs {appid, id, time_in_seconds} as JSON and returns the new expiry', async () => {
    const sent = answer('PUT', { body: '{"status":"success","result":{"id":1953,"ts":"2026-01-09T08:45:54.545Z"}}' });
    const result = await client.updateKickingRule({ appId: APP_ID, ruleId: 1953, timeInSeconds: 86_430 });
    expect(result).toEqual({ outcome: 'done', providerCode: 200, requestId: 'resp-1', ruleId: 1953, expiresAt: '2026-01-09T08:45:54.545Z' });
    expectAuthenticatedJson(sent[0]!);
    expect(sent[0]!.path).toBe(RULES);
    expect(JSON.parse(String(sent[0]!.body))).toEqual({ appid: APP_ID, id: 1953, time_in_seconds: 86_430 });
  });

  it('accepts the shortest time, 10 s', async () => {
    const sent = answer('PUT', { body: '{"status":"success","result":{"id":1,"ts":"2026-01-09T08:45:54.545Z"}}' });
    await client.updateKickingRule({ appId: APP_ID, ruleId: 1, timeInSeconds: 10 });
    expect(JSON.parse(String(sent[0]!.body))).toMatchObject({ time_in_seconds: 10 });
  });

  it.each([
    ['a time of 0 (a one-time kick is not an update)', { timeInSeconds: 0 }, 'time_in_seconds must be an integer from 10 to 86430 (got 0)'],
    ['a time of 9 s', { timeInSeconds: 9 }, 'time_in_seconds must be an integer from 10 to 86430 (got 9)'],
    ['a time of 86431 s', { timeInSeconds: 86_431 }, 'time_in_seconds must be an integer from 10 to 86430 (got 86431)'],
    ['a fractional time', { timeInSeconds: 60.5 }, 'time_in_seconds must be an integer from 10 to 86430 (got 60.5)'],
    ['rule id 0', { ruleId: 0 }, 'id must be a positive integer (the id Agora gave the rule)'],
    ['a fractional rule id', { ruleId: 1.5 }, 'id must be a positive integer (the id Agora gave the rule)'],
    ['an empty app id', { appId: '' }, 'appid must not be empty'],
  ])('refuses %s before sending', async (_label, change, reason) => {
    const sent = answer('PUT');
    const err = await providerErrorOf(client.updateKickingRule({ appId: APP_ID, ruleId: 1953, timeInSeconds: 600, ...change }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe(`agora UpdateKickingRule refused before sending: ${reason}`);
    expect(sent).toHaveLength(0);
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  it('rejects a 404: the rule expired or was deleted, and must be created again', async () => {
    answer('PUT', { status: 404, body: '{"message":"rule not found"}' });
    const err = await providerErrorOf(client.updateKickingRule({ appId: APP_ID, ruleId: 1953, timeInSeconds: 600 }));
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err.message).toBe('agora UpdateKickingRule answered HTTP 404 (kicking rule does not exist, expired or deleted): "rule not found"');
    expect(err).toMatchObject({ providerCode: 404, requestId: 'resp-1' });
  });

  it.each([
    ['no result', { status: 'success' }, 'result: expected object'],
    ['no ts', { result: { id: 1953 } }, 'result.ts: expected string'],
    ['a text id', { result: { id: '1953', ts: 'x' } }, 'result.id: expected number'],
  ])('names the field of an answer with %s', async (_label, body, problem) => {
    answer('PUT', { body: JSON.stringify(body) });
    const err = await providerErrorOf(client.updateKickingRule({ appId: APP_ID, ruleId: 1953, timeInSeconds: 600 }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe(`agora UpdateKickingRule answered an unexpected shape: ${problem}`);
  });
});

describe('DeleteKickingRule', () => {
  it('DELETEs with a JSON body {appid, id}', async () => {
    const sent = answer('DELETE', { body: '{"status":"success","id":1953}' });
    await expect(client.deleteKickingRule({ appId: APP_ID, ruleId: 1953 })).resolves.toEqual({
      outcome: 'done',
      providerCode: 200,
      requestId: 'resp-1',
    });
    expectAuthenticatedJson(sent[0]!);
    expect(sent[0]!.path).toBe(RULES);
    expect(JSON.parse(String(sent[0]!.body))).toEqual({ appid: APP_ID, id: 1953 });
  });

  it('is already done on 404: the rule expired or was deleted before', async () => {
    answer('DELETE', { status: 404, body: '{"message":"not found"}' });
    await expect(client.deleteKickingRule({ appId: APP_ID, ruleId: 1953 })).resolves.toEqual({
      outcome: 'already-done',
      providerCode: 404,
      requestId: 'resp-1',
    });
  });

  it('takes any 2xx as done, whatever the body', async () => {
    answer('DELETE', { status: 204, body: '' });
    await expect(client.deleteKickingRule({ appId: APP_ID, ruleId: 1953 })).resolves.toMatchObject({ outcome: 'done', providerCode: 204 });
  });

  it.each([
    ['rule id 0', 0],
    ['a negative rule id', -5],
    ['an unsafe rule id', 2 ** 53],
  ])('refuses %s before sending', async (_label, ruleId) => {
    const sent = answer('DELETE');
    const err = await providerErrorOf(client.deleteKickingRule({ appId: APP_ID, ruleId }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe('agora DeleteKickingRule refused before sending: id must be a positive integer (the id Agora gave the rule)');
    expect(sent).toHaveLength(0);
  });
});

describe('CreateKickingRule limits', () => {
  it.each([
    ['the largest uid', { uid: 4_294_967_295 }],
    ['a one-time kick', { timeInSeconds: 0 }],
    ['the shortest ban', { timeInSeconds: 10 }],
    ['the longest ban', { timeInSeconds: 86_430 }],
  ])('sends %s', async (_label, change) => {
    const sent = answer('POST', { body: '{"status":"success","id":1}' });
    await client.createKickingRule({ appId: APP_ID, uid: 42, privileges: ['join_channel'], ...change });
    expect(JSON.parse(String(sent[0]!.body))).toMatchObject(
      'uid' in change ? { uid: change.uid } : { time_in_seconds: change.timeInSeconds },
    );
  });

  it.each([
    ['a uid past uint32', { uid: 4_294_967_296 }, 'uid must be an integer from 1 to 4294967295'],
    ['a fractional uid', { uid: 1.5 }, 'uid must be an integer from 1 to 4294967295'],
    ['a ban of 9 s', { timeInSeconds: 9 }, 'time_in_seconds must be 0 (kick once) or an integer from 10 to 86430 (got 9)'],
    ['a ban of 86431 s', { timeInSeconds: 86_431 }, 'time_in_seconds must be 0 (kick once) or an integer from 10 to 86430 (got 86431)'],
  ])('refuses %s before sending (Agora would clamp it silently)', async (_label, change, reason) => {
    const sent = answer('POST');
    const err = await providerErrorOf(client.createKickingRule({ appId: APP_ID, uid: 42, privileges: ['join_channel'], ...change }));
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe(`agora CreateKickingRule refused before sending: ${reason}`);
    expect(sent).toHaveLength(0);
  });
});

describe('secrets', () => {
  it('redacts the customer secret echoed in an unknown answer', async () => {
    answer('GET', { status: 418, body: JSON.stringify({ message: `bad credentials ${SECRET}` }) });
    const err = await providerErrorOf(client.listKickingRules({ appId: APP_ID }));
    expect(err).toBeInstanceOf(ProviderUnknownAnswerError);
    expect(err.message).toBe('agora ListKickingRules answered HTTP 418 (not in the agora code table): "bad credentials <redacted>"');
    expectNoSecrets(err, [SECRET, BASIC.slice('Basic '.length)]);
  });

  it.each([
    ['a 401', () => client.deleteKickingRule({ appId: APP_ID, ruleId: 1 }), 'DELETE', 401],
    ['a 404', () => client.updateKickingRule({ appId: APP_ID, ruleId: 1, timeInSeconds: 60 }), 'PUT', 404],
    ['a shape error', () => client.updateKickingRule({ appId: APP_ID, ruleId: 1, timeInSeconds: 60 }), 'PUT', 200],
  ])('keeps the secret and the auth header out of %s', async (_label, run, method, status) => {
    answer(method, { status, body: JSON.stringify({ message: SECRET, result: { id: SECRET } }) });
    const err = await providerErrorOf(run());
    expectNoSecrets(err, [SECRET, BASIC.slice('Basic '.length)]);
  });
});

describe('isKickingRuleFor', () => {
  const channelBan: AgoraKickingRuleInfo = { id: 1, cname: 'channel-1', uid: 42, privileges: ['join_channel'] };
  const appBan: AgoraKickingRuleInfo = { id: 2, uid: 42, privileges: ['join_channel'] };

  it('matches a join_channel rule of the same uid and channel (or none)', () => {
    expect(isKickingRuleFor(channelBan, { uid: 42, cname: 'channel-1' })).toBe(true);
    expect(isKickingRuleFor(appBan, { uid: 42 })).toBe(true);
    expect(isKickingRuleFor(appBan, { uid: 42, cname: '' })).toBe(true);
  });

  it('does not match another uid, another scope, an IP rule or a publish-only rule', () => {
    expect(isKickingRuleFor(channelBan, { uid: 43, cname: 'channel-1' })).toBe(false);
    expect(isKickingRuleFor(channelBan, { uid: 42 })).toBe(false);
    expect(isKickingRuleFor(appBan, { uid: 42, cname: 'channel-1' })).toBe(false);
    expect(isKickingRuleFor({ ...appBan, ip: '192.0.2.1' }, { uid: 42 })).toBe(false);
    expect(isKickingRuleFor({ ...appBan, privileges: ['publish_audio'] }, { uid: 42 })).toBe(false);
  });
});
