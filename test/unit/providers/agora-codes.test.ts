/**
 * Every row of the Agora status table, answered to every operation it applies to, gives the right
 * result or error; DESIGN.md's semantics table is checked separately as literal data.
 */
import type { MockAgent } from 'undici';
import {
  AGORA_CODES,
  AgoraClient,
  AgoraOperation,
  classifyAgora,
} from '../../../src/providers/agora';
import {
  ProviderRateLimitedError,
  ProviderRejectedError,
  ProviderRetryableError,
  ProviderUnknownAnswerError,
} from '../../../src/providers/errors';
import { Classification, type CodeRow, type ProviderResult } from '../../../src/providers/types';
import { AGORA_ORIGIN, expectNoSecrets, mockAgent, providerErrorOf } from './mock';

const CUSTOMER_ID = 'customer-1';
const SECRET = 'agora-customer-secret-0123456789';
const STREAM_KEY = '2dfMTRsecretStreamKeyfys';
const APP_ID = 'app0123456789abcdef';
const OPERATIONS = Object.values(AgoraOperation);
const INGRESS = `/na/v1/projects/${APP_ID}/rtls/ingress`;

const REQUESTS: Record<AgoraOperation, { method: string; path: string }> = {
  DeleteStreamKey: { method: 'DELETE', path: `${INGRESS}/streamkeys/${STREAM_KEY}` },
  ListOnlineStreams: { method: 'GET', path: `${INGRESS}/online-streams` },
  GetOnlineStream: { method: 'GET', path: `${INGRESS}/online-streams/sid-1` },
  ForceDisconnect: { method: 'DELETE', path: `${INGRESS}/online-streams/sid-1` },
  CreateKickingRule: { method: 'POST', path: '/dev/v1/kicking-rule' },
  ListKickingRules: { method: 'GET', path: `/dev/v1/kicking-rule?appid=${APP_ID}` },
  UpdateKickingRule: { method: 'PUT', path: '/dev/v1/kicking-rule' },
  DeleteKickingRule: { method: 'DELETE', path: '/dev/v1/kicking-rule' },
};

function call(client: AgoraClient, operation: AgoraOperation): Promise<ProviderResult> {
  const ref = { appId: APP_ID, region: 'na' as const };
  switch (operation) {
    case 'DeleteStreamKey':
      return client.deleteStreamKey({ ...ref, streamKey: STREAM_KEY });
    case 'ListOnlineStreams':
      return client.listOnlineStreams(ref);
    case 'GetOnlineStream':
      return client.getOnlineStream({ ...ref, sid: 'sid-1' });
    case 'ForceDisconnect':
      return client.forceDisconnect({ ...ref, sid: 'sid-1' });
    case 'CreateKickingRule':
      return client.createKickingRule({ appId: APP_ID, cname: 'channel-1', uid: 1001, privileges: ['join_channel'] });
    case 'ListKickingRules':
      return client.listKickingRules({ appId: APP_ID });
    case 'UpdateKickingRule':
      return client.updateKickingRule({ appId: APP_ID, ruleId: 1953, timeInSeconds: 3_600 });
    case 'DeleteKickingRule':
      return client.deleteKickingRule({ appId: APP_ID, ruleId: 1953 });
  }
}

const ERROR_CLASS = {
  [Classification.retryable]: ProviderRetryableError,
  [Classification.rateLimited]: ProviderRateLimitedError,
  [Classification.rejected]: ProviderRejectedError,
} as const;

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

function answer(operation: AgoraOperation, status: number, body: string, headers: Record<string, string> = {}): void {
  agent
    .get(AGORA_ORIGIN)
    .intercept(REQUESTS[operation])
    .reply(status, body, { headers: { 'x-request-id': 'resp-id', ...headers } });
}

const cases: [AgoraOperation, number, CodeRow][] = AGORA_CODES.flatMap((row) =>
  (row.operations ?? OPERATIONS)
    .filter((operation) => classifyAgora(operation as AgoraOperation, row.code) === row)
    .map((operation): [AgoraOperation, number, CodeRow] => [operation as AgoraOperation, row.code, row]),
);

describe('AGORA_CODES through the client', () => {
  it('covers every row at least once', () => {
    expect(new Set(cases.map(([, , row]) => row)).size).toBe(AGORA_CODES.length);
  });

  it.each(cases)('%s answered HTTP %d', async (operation, status, row) => {
    answer(operation, status, JSON.stringify({ status: 'error', message: 'Describes why the request failed.' }), {
      'retry-after': '7',
    });
    if (row.classification === Classification.alreadyDone) {
      await expect(call(client, operation)).resolves.toMatchObject({ outcome: 'already-done', providerCode: status, requestId: 'resp-id' });
      return;
    }
    const err = await providerErrorOf(call(client, operation));
    expect(err).toBeInstanceOf(ERROR_CLASS[row.classification]);
    expect(err.message).toBe(`agora ${operation} answered HTTP ${status} (${row.meaning}): "Describes why the request failed."`);
    expect(err).toMatchObject({ provider: 'agora', operation, providerCode: status, requestId: 'resp-id' });
    if (err instanceof ProviderRateLimitedError) expect(err.retryAfterMs).toBe(7_000);
    expectNoSecrets(err, [SECRET, STREAM_KEY]);
  });

  it('cites a section of the providers notes on every row', () => {
    for (const row of AGORA_CODES) expect(row.source).toMatch(/^agora\.md §\d/);
  });
});

describe('DESIGN.md semantics table (literal)', () => {
  it.each(OPERATIONS)('%s: 409, 500, 502, 503, 504 retry; 429 rate-limited; 400, 401, 403 rejected', (operation) => {
    for (const status of [409, 500, 502, 503, 504]) expect(classifyAgora(operation, status)?.classification).toBe('retryable');
    expect(classifyAgora(operation, 429)?.classification).toBe('rate-limited');
    for (const status of [400, 401, 403]) expect(classifyAgora(operation, status)?.classification).toBe('rejected');
  });

  it('404 is already done on key delete, session disconnect and session query only', () => {
    expect(classifyAgora('DeleteStreamKey', 404)?.classification).toBe('already-done');
    expect(classifyAgora('ForceDisconnect', 404)?.classification).toBe('already-done');
    expect(classifyAgora('GetOnlineStream', 404)?.classification).toBe('already-done');
    expect(classifyAgora('ListOnlineStreams', 404)).toBeUndefined();
    expect(classifyAgora('CreateKickingRule', 404)).toBeUndefined();
  });

  it.each(['CreateKickingRule', 'ListKickingRules', 'UpdateKickingRule', 'DeleteKickingRule'] as AgoraOperation[])(
    '415 is rejected for the kicking rule (%s)',
    (operation) => {
      expect(classifyAgora(operation, 415)?.classification).toBe('rejected');
    },
  );

  it('415 means nothing known to the Media Gateway', () => {
    expect(classifyAgora('DeleteStreamKey', 415)).toBeUndefined();
  });
});

describe('kicking-rule 404 (agora.md §5.3 "resource not found"; literal)', () => {
  it('is already done when deleting a rule: it expired or was deleted before', () => {
    expect(classifyAgora('DeleteKickingRule', 404)?.classification).toBe('already-done');
  });

  it('is a rejection when changing a rule’s time: it cannot succeed when re-sent', () => {
    expect(classifyAgora('UpdateKickingRule', 404)?.classification).toBe('rejected');
  });

  it('is unknown for the list, which names no resource (a wrong URL, not a missing rule)', () => {
    expect(classifyAgora('ListKickingRules', 404)).toBeUndefined();
  });
});

describe('statuses not in the table', () => {
  it.each([
    ['DeleteStreamKey', 418],
    ['ListOnlineStreams', 404],
    ['CreateKickingRule', 404],
    ['ListKickingRules', 404],
    ['DeleteKickingRule', 501],
    ['ForceDisconnect', 501],
  ] as [AgoraOperation, number][])('%s answered HTTP %d → ProviderUnknownAnswerError with the raw body', async (operation, status) => {
    const body = '{"message":"teapot"}';
    answer(operation, status, body);
    const err = await providerErrorOf(call(client, operation));
    expect(err).toBeInstanceOf(ProviderUnknownAnswerError);
    expect(err.message).toBe(`agora ${operation} answered HTTP ${status} (not in the agora code table): "teapot"`);
    expect(err).toMatchObject({ providerCode: status, requestId: 'resp-id', raw: body });
  });

  it('omits the body message when the body has none', async () => {
    answer('ForceDisconnect', 502, '<html>Bad Gateway</html>');
    const err = await providerErrorOf(call(client, 'ForceDisconnect'));
    expect(err.message).toBe('agora ForceDisconnect answered HTTP 502 (bad gateway)');
  });
});
