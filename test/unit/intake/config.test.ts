import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IntakeConfigError, loadIntakeConfig } from '../../../src/intake/config';

const examplePolicy = path.resolve(__dirname, '../../../examples/policy.json');
const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadIntakeConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(IntakeConfigError);
    return (err as IntakeConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

test('reads TEMPORAL_* like the worker: TLS and API key settings reach the connection, a bad one is a line', () => {
  const config = loadIntakeConfig({ TAKEDOWN_INTAKE_SECRET: secret, TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'key-value' });
  expect(config.temporal).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', connectionOptions: { apiKey: 'key-value', tls: expect.anything() } });
  expect(config.temporal.summary).not.toContain('key-value');
  expect(() => loadIntakeConfig({ TAKEDOWN_INTAKE_SECRET: secret, TEMPORAL_ADDRESS: 'no-port' })).toThrow('TEMPORAL_ADDRESS: must be host:port');
});

test('defaults: 127.0.0.1:8787, localhost:7233, namespace default, queue takedown, metrics on 127.0.0.1:9465', () => {
  const config = loadIntakeConfig({ TAKEDOWN_INTAKE_SECRET: secret });
  expect(config).toEqual({
    address: { host: '127.0.0.1', port: 8787 },
    temporal: expect.objectContaining({ address: 'localhost:7233', namespace: 'default', auth: 'plaintext', summary: 'localhost:7233, namespace default, plaintext' }),
    taskQueue: 'takedown',
    decisionsSecret: secret,
    metricsAddress: { host: '127.0.0.1', port: 9465 },
    logLevel: 'INFO',
  });
});

test('every route and the policy file', () => {
  const config = loadIntakeConfig({
    TAKEDOWN_INTAKE_ADDRESS: '[::1]:0',
    ZEGO_CALLBACK_SECRET: 'zego-secret',
    TAKEDOWN_ACTIVEFENCE_API_KEY: 'af-key',
    TAKEDOWN_HIVE_TOKEN: 'a'.repeat(24),
    TAKEDOWN_POLICY_FILE: examplePolicy,
    TAKEDOWN_INTAKE_METRICS_ADDRESS: 'off',
  });
  expect(config.address).toEqual({ host: '::1', port: 0 });
  expect(config.policy?.rules).toHaveLength(6);
  expect(config.metricsAddress).toBeUndefined();
});

test('one line per problem, and no line repeats a secret', () => {
  const env = {
    TAKEDOWN_INTAKE_ADDRESS: 'localhost',
    TAKEDOWN_INTAKE_SECRET: 'not-a-whsec-secret-value',
    ZEGO_CALLBACK_SECRET: 'has spaces in-it',
    TAKEDOWN_HIVE_TOKEN: 'short/token',
    TAKEDOWN_LOG_LEVEL: 'LOUD',
  };
  const lines = problems(env);
  expect(lines).toEqual([
    'TAKEDOWN_INTAKE_ADDRESS: must be host:port, e.g. 127.0.0.1:8787',
    'TAKEDOWN_INTAKE_SECRET: must be whsec_ followed by a base64 key (e.g. whsec_$(openssl rand -base64 32))',
    'ZEGO_CALLBACK_SECRET: must be 1 to 256 characters without spaces',
    'TAKEDOWN_HIVE_TOKEN: must be 16 to 256 letters, digits, _ or - (e.g. $(openssl rand -hex 24))',
    'TAKEDOWN_LOG_LEVEL: must be DEBUG, INFO, WARN or ERROR',
  ]);
  for (const value of [env.TAKEDOWN_INTAKE_SECRET, env.ZEGO_CALLBACK_SECRET, env.TAKEDOWN_HIVE_TOKEN]) {
    expect(lines.join('\n')).not.toContain(value);
  }
  expect(problems({ TAKEDOWN_INTAKE_SECRET: `whsec_${Buffer.alloc(8).toString('base64')}` })).toEqual([
    'TAKEDOWN_INTAKE_SECRET: the key must be at least 16 bytes (24 to 64 are recommended)',
  ]);
});

test('no route at all, or a classifier route without a policy, stops the intake', () => {
  expect(problems({})).toEqual(['no route configured: set TAKEDOWN_INTAKE_SECRET, ZEGO_CALLBACK_SECRET, TAKEDOWN_ACTIVEFENCE_API_KEY or TAKEDOWN_HIVE_TOKEN']);
  expect(problems({ ZEGO_CALLBACK_SECRET: 's', TAKEDOWN_ACTIVEFENCE_API_KEY: 'k' })).toEqual([
    'TAKEDOWN_POLICY_FILE: is required with ZEGO_CALLBACK_SECRET, TAKEDOWN_ACTIVEFENCE_API_KEY (it maps classifier verdicts to actions)',
  ]);
});

test('an invalid policy file stops the intake with its problems', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'intake-policy-'));
  const file = path.join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify({ rules: [{ source: 'hive', action: 'takedown', match: { class: 'x' } }] }));
  expect(problems({ ZEGO_CALLBACK_SECRET: 's', TAKEDOWN_POLICY_FILE: file })).toEqual([
    `TAKEDOWN_POLICY_FILE ${file} rules[0].match.minScore: is required with class`,
    `TAKEDOWN_POLICY_FILE ${file} rules[0].agoraAppId: is required for hive verdicts (the Agora App ID their users are in)`,
  ]);
});
