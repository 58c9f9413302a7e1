import { sandboxWorkerEnv } from '../../src/devstack/sandbox-env';
import { loadConfig } from '../../src/takedown-worker/config';

test('the default points both providers at the sandbox with the demo accounts, and the worker accepts it', () => {
  const env = sandboxWorkerEnv('http://127.0.0.1:18080', '127.0.0.1:7233');
  expect(env).toEqual({
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    ZEGO_API_URL: 'http://127.0.0.1:18080',
    AGORA_API_URL: 'http://127.0.0.1:18080',
    ZEGO_APP_ID: '1234567890',
    ZEGO_SERVER_SECRET: '97249547a82093e66057c8ee6916ee0b',
    AGORA_CUSTOMER_ID: 'demo-customer',
    AGORA_CUSTOMER_SECRET: 'demo-secret',
  });
  expect(() => loadConfig({ ...env, TAKEDOWN_METRICS_ADDRESS: 'off' })).not.toThrow();
});

test('other accounts replace the demo ones; a provider left out gets no credentials', () => {
  const env = sandboxWorkerEnv('http://sandbox', 'temporal:7233', { zego: { appId: 42, serverSecret: 'a'.repeat(32) } });
  expect(env).toEqual({
    TEMPORAL_ADDRESS: 'temporal:7233',
    ZEGO_API_URL: 'http://sandbox',
    AGORA_API_URL: 'http://sandbox',
    ZEGO_APP_ID: '42',
    ZEGO_SERVER_SECRET: 'a'.repeat(32),
  });
  expect(sandboxWorkerEnv('http://sandbox', 'temporal:7233', {})).toEqual({ TEMPORAL_ADDRESS: 'temporal:7233', ZEGO_API_URL: 'http://sandbox', AGORA_API_URL: 'http://sandbox' });
});
