import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/takedown-worker/config';
import type { ProviderRoute } from '../../src/workflows/types';
import { accountSegment, activityQueues, paceKeyResolver, polledQueues, routeFor } from '../../src/takedown-worker/routes';

const zegoEnv = { ZEGO_APP_ID: '1234567890', ZEGO_SERVER_SECRET: 'zego-secret-value' };
const agoraEnv = { AGORA_CUSTOMER_ID: 'customer', AGORA_CUSTOMER_SECRET: 'agora-secret-value' };

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig({ ...zegoEnv });
    expect(config.temporal).toEqual({ address: 'localhost:7233', namespace: 'default' });
    expect(config.taskQueue).toBe('takedown');
    expect(config.zego.apiUrl).toBe('https://rtc-api.zego.im');
    expect(config.agora.apiUrl).toBe('https://api.agora.io');
    expect(config.zego.apps).toEqual([{ appId: 1234567890, serverSecret: 'zego-secret-value', isTest: false, rateLimits: {} }]);
    expect(config.metricsAddress).toBe('127.0.0.1:9464');
  });

  it('stops on no provider at all', () => {
    expect(problems({})).toEqual([
      'no provider configured: set ZEGO_APP_ID and ZEGO_SERVER_SECRET, or AGORA_CUSTOMER_ID and AGORA_CUSTOMER_SECRET (or TAKEDOWN_CONFIG_FILE)',
    ]);
  });

  it('reports one line per problem and never repeats a secret', () => {
    const env = { ZEGO_APP_ID: 'abc', AGORA_CUSTOMER_SECRET: 'agora-secret-value', TEMPORAL_ADDRESS: 'nope', TAKEDOWN_STEP_BUDGET: 'forever' };
    let message = '';
    try {
      loadConfig(env);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(problems(env)).toEqual([
      'TEMPORAL_ADDRESS: must be host:port',
      'ZEGO_APP_ID: must be a decimal ZEGO AppId',
      'TAKEDOWN_STEP_BUDGET: must be a duration such as 200ms, 10s or 5 minutes',
      'ZEGO_SERVER_SECRET: is required when ZEGO_APP_ID is set',
      'AGORA_CUSTOMER_ID: is required when AGORA_CUSTOMER_SECRET is set',
    ]);
    expect(message).not.toContain('agora-secret-value');
  });

  it('keeps rate headroom the pacer can absorb late slots with', () => {
    expect(problems({ ...zegoEnv, TAKEDOWN_RATE_HEADROOM: '1' })).toEqual(['TAKEDOWN_RATE_HEADROOM: must be at most 0.95']);
    expect(problems({ ...zegoEnv, TAKEDOWN_RATE_HEADROOM: '0' })).toEqual(['TAKEDOWN_RATE_HEADROOM: must be above 0']);
  });

  it('checks a pre-built workflow bundle can be read', () => {
    expect(problems({ ...zegoEnv, TAKEDOWN_WORKFLOW_BUNDLE: '/nonexistent/workflow-bundle.js' })).toEqual([
      'TAKEDOWN_WORKFLOW_BUNDLE: cannot read /nonexistent/workflow-bundle.js: ENOENT',
    ]);
    expect(loadConfig({ ...zegoEnv, TAKEDOWN_WORKFLOW_BUNDLE: __filename }).workflowBundlePath).toBe(__filename);
    expect(loadConfig(zegoEnv).workflowBundlePath).toBeUndefined();
  });

  it('requires both halves of a credential', () => {
    expect(problems({ ZEGO_APP_ID: '1' })).toEqual(['ZEGO_SERVER_SECRET: is required when ZEGO_APP_ID is set']);
    expect(problems({ AGORA_CUSTOMER_SECRET: 'x' })).toEqual(['AGORA_CUSTOMER_ID: is required when AGORA_CUSTOMER_SECRET is set']);
  });

  it('adds apps from a config file and names its problems', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'takedown-config-'));
    const good = path.join(dir, 'apps.json');
    writeFileSync(good, JSON.stringify({ zego: [{ appId: 42, serverSecret: 's', isTest: true }], agora: [{ customerId: 'c', customerSecret: 's', appIds: ['app1'] }] }));
    const config = loadConfig({ ...zegoEnv, TAKEDOWN_CONFIG_FILE: good });
    expect(config.zego.apps.map((a) => a.appId)).toEqual([1234567890, 42]);
    expect(config.agora.accounts[0]?.appIds).toEqual(['app1']);

    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ zego: [{ appId: 'x', serverSecret: '' }], other: 1 }));
    expect(problems({ TAKEDOWN_CONFIG_FILE: bad })).toEqual([
      `TAKEDOWN_CONFIG_FILE ${bad}: zego.0.appId: Invalid input: expected number, received string`,
      `TAKEDOWN_CONFIG_FILE ${bad}: zego.0.serverSecret: must not be empty`,
      `TAKEDOWN_CONFIG_FILE ${bad}: Unrecognized key: "other"`,
    ]);
    expect(problems({ TAKEDOWN_CONFIG_FILE: path.join(dir, 'missing.json') })[0]).toMatch(/^TAKEDOWN_CONFIG_FILE: cannot read .*missing\.json: ENOENT/);
  });

  it('refuses a rate-limit override for a bucket the provider does not have', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'takedown-config-'));
    const file = path.join(dir, 'apps.json');
    writeFileSync(file, JSON.stringify({ zego: [{ appId: 42, serverSecret: 's', rateLimits: { DeleteStrem: 5 } }], agora: [{ customerId: 'c', customerSecret: 's', rateLimits: { delete: 10, DeleteStream: 1 } }] }));
    expect(problems({ TAKEDOWN_CONFIG_FILE: file })).toEqual([
      `TAKEDOWN_CONFIG_FILE ${file}: zego.0.rateLimits.DeleteStrem: unknown rate-limit bucket (known: DeleteStream, StopMix, KickoutUser, DescribeSimpleStreamList, ForbidRule)`,
      `TAKEDOWN_CONFIG_FILE ${file}: agora.0.rateLimits.DeleteStream: unknown rate-limit bucket (known: delete, query, kickingRule)`,
    ]);
  });

  it('refuses a ZEGO app configured twice', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'takedown-config-'));
    const file = path.join(dir, 'apps.json');
    writeFileSync(file, JSON.stringify({ zego: [{ appId: 1234567890, serverSecret: 'other' }] }));
    expect(problems({ ...zegoEnv, TAKEDOWN_CONFIG_FILE: file })).toEqual(['ZEGO app 1234567890: configured more than once']);
  });
});

describe('activity queues and routes', () => {
  it('gives each ZEGO app one queue per rate-limit bucket at the documented rate times headroom', () => {
    const config = loadConfig({ ...zegoEnv, TAKEDOWN_RATE_HEADROOM: '0.5' });
    expect(activityQueues(config)).toEqual([
      { name: 'takedown/zego/1234567890/DeleteStream', provider: 'zego', appId: '1234567890', bucket: 'DeleteStream', ratePerSecond: 5, paceKey: 'takedown/zego/1234567890/DeleteStream' },
      { name: 'takedown/zego/1234567890/StopMix', provider: 'zego', appId: '1234567890', bucket: 'StopMix', ratePerSecond: 50, paceKey: 'takedown/zego/1234567890/StopMix' },
      { name: 'takedown/zego/1234567890/KickoutUser', provider: 'zego', appId: '1234567890', bucket: 'KickoutUser', ratePerSecond: 25, paceKey: 'takedown/zego/1234567890/KickoutUser' },
      { name: 'takedown/zego/1234567890/DescribeSimpleStreamList', provider: 'zego', appId: '1234567890', bucket: 'DescribeSimpleStreamList', ratePerSecond: 25, paceKey: 'takedown/zego/1234567890/DescribeSimpleStreamList' },
      { name: 'takedown/zego/1234567890/ForbidRule', provider: 'zego', appId: '1234567890', bucket: 'ForbidRule', ratePerSecond: 5, paceKey: 'takedown/zego/1234567890/ForbidRule' },
    ]);
    expect(polledQueues(activityQueues(config)).map((q) => [q.name, q.ratePerSecond, q.pollers])).toEqual([
      ['takedown/zego/1234567890/DeleteStream', 5, 4],
      ['takedown/zego/1234567890/StopMix', 50, 5],
      ['takedown/zego/1234567890/KickoutUser', 25, 4],
      ['takedown/zego/1234567890/DescribeSimpleStreamList', 25, 4],
      ['takedown/zego/1234567890/ForbidRule', 5, 4],
    ]);
  });

  it('uses the test-environment limit for an IsTest app', () => {
    const config = loadConfig({ ...zegoEnv, ZEGO_IS_TEST: 'true', TAKEDOWN_RATE_HEADROOM: '0.95' });
    expect(activityQueues(config).find((q) => q.bucket === 'DeleteStream')?.ratePerSecond).toBe(0.95);
  });

  it('routes Agora apps to their own queues when listed, to shared ones otherwise', () => {
    const listed = loadConfig({ ...agoraEnv, AGORA_APP_IDS: 'app1, app2' });
    // Kicking rules are limited per customer account: one queue per account, named by a fingerprint of its id.
    const account = `takedown/agora/${accountSegment(listed.agora.accounts[0]!)}/kickingRule`;
    expect(account).toMatch(/^takedown\/agora\/account-[0-9a-f]{12}\/kickingRule$/);
    expect(account).not.toContain(listed.agora.accounts[0]!.customerId);
    expect(routeFor(listed, 'agora', 'app2')?.queues).toEqual({ delete: 'takedown/agora/app2/delete', query: 'takedown/agora/app2/query', kickingRule: account });
    expect(routeFor(listed, 'agora', 'app1')?.queues).toMatchObject({ kickingRule: account });
    expect(routeFor(listed, 'agora', 'app3')).toBeUndefined();
    const any = loadConfig({ ...agoraEnv });
    expect(routeFor(any, 'agora', 'whatever')?.queues).toEqual({ delete: 'takedown/agora/any/delete', query: 'takedown/agora/any/query', kickingRule: account });
    expect(routeFor(any, 'zego', '1')).toBeUndefined();
  });

  it('puts every app on one queue per bucket in the shared layout, under its own fairness key, weight and pacer', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'takedown-config-'));
    const file = path.join(dir, 'apps.json');
    writeFileSync(file, JSON.stringify({ zego: [{ appId: 42, serverSecret: 'other', isTest: true }] }));
    const config = loadConfig({ ...zegoEnv, TAKEDOWN_CONFIG_FILE: file, TAKEDOWN_QUEUE_LAYOUT: 'shared' });
    const deletes = activityQueues(config).filter((q) => q.bucket === 'DeleteStream');
    expect(deletes.map((q) => [q.name, q.fairnessKey, q.paceKey, q.ratePerSecond])).toEqual([
      ['takedown/zego/DeleteStream', '1234567890', 'takedown/zego/1234567890/DeleteStream', 9],
      ['takedown/zego/DeleteStream', '42', 'takedown/zego/42/DeleteStream', 0.9],
    ]);
    // One worker per shared queue, with one poller per partition and no rate of its own.
    expect(polledQueues(activityQueues(config)).find((q) => q.name === 'takedown/zego/DeleteStream')).toEqual({ name: 'takedown/zego/DeleteStream', pollers: 4 });
    const route = routeFor(config, 'zego', '42') as ProviderRoute<'zego'>;
    expect(route.queues.DeleteStream).toBe('takedown/zego/DeleteStream');
    // Dispatched at 1.5 × the app's 0.9/s; the pacer spaces the calls at 0.9/s.
    expect(route.fairness?.DeleteStream).toEqual({ key: '42', weight: 1.35 });
    // A call finds its app's pacer from the task's queue and fairness key: the same pacer as in the per-app layout.
    const paceKeyFor = paceKeyResolver(activityQueues(config));
    expect(paceKeyFor('takedown/zego/DeleteStream', '42')).toBe('takedown/zego/42/DeleteStream');
    expect(paceKeyFor('takedown/zego/42/DeleteStream', undefined)).toBe('takedown/zego/42/DeleteStream');
  });

  it('puts Agora kicking rules under the account fingerprint as their fairness key', () => {
    const config = loadConfig({ ...agoraEnv, AGORA_APP_IDS: 'app1', TAKEDOWN_QUEUE_LAYOUT: 'shared' });
    const route = routeFor(config, 'agora', 'app1') as ProviderRoute<'agora'>;
    expect(route.queues).toEqual({ delete: 'takedown/agora/delete', query: 'takedown/agora/query', kickingRule: 'takedown/agora/kickingRule' });
    expect(route.fairness?.kickingRule?.key).toBe(accountSegment(config.agora.accounts[0]!));
    expect(route.fairness?.delete?.key).toBe('app1');
  });

  it('refuses an unknown queue layout, naming the choices', () => {
    expect(problems({ ...zegoEnv, TAKEDOWN_QUEUE_LAYOUT: 'per-provider' })).toEqual(['TAKEDOWN_QUEUE_LAYOUT: must be one of per-app, shared']);
  });

  it('carries the retry budget into the route', () => {
    const config = loadConfig({ ...zegoEnv, TAKEDOWN_STEP_BUDGET: '30s', TAKEDOWN_RETRY_MAXIMUM_ATTEMPTS: '4' });
    expect(routeFor(config, 'zego', '1234567890')?.retry).toEqual({ initialInterval: '200ms', maximumInterval: '10s', maximumAttempts: 4, budget: '30s' });
  });
});
