import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { createMetrics } from '../../../src/intake/metrics';
import { silentLogger } from '../../../src/intake/logging';
import { BODY_LIMIT_BYTES, createIntakeServer } from '../../../src/intake/server';
import { hostileActiveFenceBody, hostileDecisionBody, hostileHiveBody, hostileZegoBody, junkBytes } from './hostile';
import { newWebhookSecret, signedDecision, zegoSignature } from './senders';

const secret = newWebhookSecret();
const zegoSecret = 'zego-callback-secret';
const apiKey = 'activefence-api-key';
const hiveToken = 'hive-token-0123456789abcdef';

/** Stands in for the Intake: every call would have started a workflow. */
const calls: unknown[] = [];
const intake = {
  decision: async (request: unknown) => { calls.push(request); return { status: 202 as const, body: { started: true } }; },
  verdict: async (verdict: unknown) => { calls.push(verdict); return { status: 202 as const, body: { started: true } }; },
};
// Over real HTTP on 127.0.0.1 (Fastify's inject needs an ESM-only package Jest cannot load).
let app: FastifyInstance;
let base: string;
const metrics = createMetrics();

beforeAll(async () => {
  app = createIntakeServer({ config: { decisionsSecret: secret, zegoCallbackSecret: zegoSecret, activefenceApiKey: apiKey, hiveToken }, intake, logger: silentLogger, metrics });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => app.close());
beforeEach(() => { calls.length = 0; });

function signZego(body: Record<string, unknown>): string {
  const timestamp = Math.floor(Date.now() / 1000);
  const nonce = String(Math.floor(Math.random() * 1e9));
  return JSON.stringify({ ...body, Timestamp: timestamp, Nonce: nonce, Signature: zegoSignature(zegoSecret, String(timestamp), nonce) });
}

async function post(url: string, payload: string | Buffer, headers: Record<string, string> = {}) {
  const res = await request(`${base}${url}`, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.statusCode, body: (await res.body.json()) as { error?: string; code?: string; problems?: string[] }, headers: res.headers };
}

/** 4xx with a JSON error message, and nothing reached the intake. */
function expectRefused(answer: { status: number; body: { error?: string } }): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(typeof answer.body.error).toBe('string');
  expect(answer.body.error!.length).toBeGreaterThan(10);
  expect(calls).toHaveLength(0);
}

test('over 64 KiB is 413 on every route, before any check', async () => {
  const big = 'x'.repeat(BODY_LIMIT_BYTES + 1);
  for (const url of ['/v1/decisions', '/zego/censor', '/activefence', `/hive/${hiveToken}`]) {
    const answer = await post(url, big);
    expect([answer.status, answer.body.code]).toEqual([413, 'too-large']);
  }
  expect(calls).toHaveLength(0);
  const counted = (await metrics.rejections.get()).values.filter((v) => v.labels.reason === 'too-large').map((v) => [v.labels.source, v.value]);
  expect(counted.sort()).toEqual([['activefence', 1], ['decision', 1], ['hive', 1], ['zego-censor', 1]]);
});

test('unknown routes and methods are 404 without echoing the path', async () => {
  const res = await request(`${base}/hive/${hiveToken}`);
  expect(res.statusCode).toBe(404);
  expect(await res.body.text()).not.toContain(hiveToken);
});

test('a route whose secret is not configured refuses everything with 401', async () => {
  const bare = createIntakeServer({ config: { decisionsSecret: secret }, intake, logger: silentLogger, metrics: createMetrics() });
  const url = await bare.listen({ host: '127.0.0.1', port: 0 });
  const res = await request(`${url}/activefence`, { method: 'POST', body: '{}', headers: { 'x-api-key': apiKey } });
  expect([res.statusCode, ((await res.body.json()) as { code: string }).code]).toEqual([401, 'route-not-configured']);
  await bare.close();
});

test('a valid delivery on each route reaches the intake', async () => {
  const request = { violationId: 'v', target: { provider: 'zego', appId: 1, roomId: 'r', streamId: 's', userId: 'u' } };
  const d = signedDecision(secret, request);
  expect((await post('/v1/decisions', d.body, d.headers)).status).toBe(202);
  expect(calls).toEqual([request]);
});

const runs = { numRuns: 150 };

test('property: hostile decisions, signed, are 4xx with a message and start nothing', async () => {
  await fc.assert(
    fc.asyncProperty(hostileDecisionBody, async (input) => {
      calls.length = 0;
      const d = signedDecision(secret, input);
      expectRefused(await post('/v1/decisions', d.body, d.headers));
    }),
    runs,
  );
});

test('property: hostile ZEGO callbacks, signed, are 4xx with a message and start nothing', async () => {
  await fc.assert(
    fc.asyncProperty(hostileZegoBody, async (body) => {
      calls.length = 0;
      expectRefused(await post('/zego/censor', signZego(body)));
    }),
    runs,
  );
});

test('property: hostile ActiveFence webhooks with the right key are 4xx and start nothing', async () => {
  await fc.assert(
    fc.asyncProperty(hostileActiveFenceBody, async (body) => {
      calls.length = 0;
      expectRefused(await post('/activefence', JSON.stringify(body), { 'x-api-key': apiKey }));
    }),
    runs,
  );
});

test('property: hostile Hive callbacks with the right token are 4xx and start nothing', async () => {
  await fc.assert(
    fc.asyncProperty(hostileHiveBody, async (body) => {
      calls.length = 0;
      expectRefused(await post(`/hive/${hiveToken}`, JSON.stringify(body)));
    }),
    runs,
  );
});

test('property: junk bytes are 4xx on every route, authenticated or not', async () => {
  await fc.assert(
    fc.asyncProperty(junkBytes, fc.boolean(), async (bytes, authentic) => {
      calls.length = 0;
      const d = signedDecision(authentic ? secret : newWebhookSecret(), null, { body: bytes.toString('utf8') });
      expectRefused(await post('/v1/decisions', bytes, d.headers));
      expectRefused(await post('/zego/censor', bytes));
      expectRefused(await post('/activefence', bytes, { 'x-api-key': authentic ? apiKey : 'wrong' }));
      expectRefused(await post(`/hive/${authentic ? hiveToken : 'wrong-token-0123456789'}`, bytes));
    }),
    runs,
  );
});
