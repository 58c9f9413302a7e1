/** With payload keys configured, no stream key is stored in clear in any history; operators still read it through the codec server. */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { startCodecServer } from '../../src/codec/server';
import { DEMO_AGORA_APP_ID } from '../../src/sandbox/demo-accounts';
import type { TakedownRequest } from '../../src/workflows/request';
import { startStack, type Stack } from '../harness/stack';
import { uniqueName } from '../harness/temporal';

/** Every byte string anywhere in a history, as text: payload data, metadata, failure details. */
function storedTexts(value: unknown, out: string[] = []): string[] {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) storedTexts(v, out);
  return out;
}

async function runAgoraTakedown(stack: Stack) {
  const streamKey = uniqueName('credential-key');
  const channel = uniqueName('channel');
  await stack.sandbox.control.seedAgora({ appId: DEMO_AGORA_APP_ID, region: 'na', streamKeys: [{ streamKey, channel, uid: '9' }] });
  const takedown: TakedownRequest = { violationId: uniqueName('clf'), target: { provider: 'agora', appId: DEMO_AGORA_APP_ID, region: 'na', streamKey, channel } };
  const handle = await stack.start(takedown);
  const result = await handle.result();
  // Read the history the way anyone with namespace access would: without the codec.
  const history = await stack.env.client.workflow.getHandle(handle.workflowId).fetchHistory();
  return { streamKey, result, history, handle };
}

describe('payload encryption', () => {
  const keyId = 'k2026';
  const key = randomBytes(32).toString('base64');
  let encrypted: Stack;
  let plain: Stack;
  beforeAll(async () => {
    [encrypted, plain] = await Promise.all([startStack({ env: { TAKEDOWN_PAYLOAD_KEYS: `${keyId}:${key}` } }), startStack()]);
  });
  afterAll(async () => {
    await Promise.all([encrypted?.teardown(), plain?.teardown()]);
  });

  test('without it, the stream key is in the stored history (what the README warns of)', async () => {
    const { streamKey, history } = await runAgoraTakedown(plain);
    expect(storedTexts(history).some((t) => t.includes(streamKey))).toBe(true);
  });

  test('with it, no stored history holds the stream key, and the takedown still enforces', async () => {
    const { streamKey, result, history } = await runAgoraTakedown(encrypted);
    expect(result.outcome).toBe('enforced');
    expect(result.steps.map((s) => s.action)).toEqual(['DeleteStreamKey', 'ForceDisconnect']);
    const texts = storedTexts(history);
    expect(texts.some((t) => t.includes(streamKey))).toBe(false);
    expect(texts).toContain('binary/encrypted');
    expect(texts).toContain(keyId);
  });

  test('the codec server decodes the stored input for an operator', async () => {
    const { streamKey, history } = await runAgoraTakedown(encrypted);
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const server = await startCodecServer({ codec: encrypted.config.payloadCodec!, port: 0 });
    try {
      const payload = {
        metadata: Object.fromEntries(Object.entries(input?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(input?.data ?? []).toString('base64'),
      };
      const answer = await request(`${server.url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:8233' },
        body: JSON.stringify({ payloads: [payload] }),
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:8233');
      const { payloads } = (await answer.body.json()) as { payloads: { data: string }[] };
      expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString('utf8')).target.streamKey).toBe(streamKey);
    } finally {
      await server.close();
    }
  });
});
