/** The `npm run sandbox` CLI: configuration from the environment, the banner, and the process itself. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { bannerLines, readCliConfig, type CliConfig } from '../../../src/sandbox/cli-config';
import { DEMO_AGORA_ACCOUNT, DEMO_ZEGO_APP } from '../../../src/sandbox/demo-accounts';
import { agora, basicAuth, zego } from './helpers';

const ENV_SECRET = 'c0ffeec0ffeec0ffeec0ffeec0ffee00';
const ENV_AGORA_SECRET = 'agora-env-secret-value';

function configOf(argv: string[], env: Record<string, string>): CliConfig {
  const read = readCliConfig(argv, env);
  if ('errors' in read) throw new Error(read.errors.join('\n'));
  return read.config;
}

describe('configuration', () => {
  test('defaults to the demo accounts, whose secrets the banner prints', () => {
    const config = configOf([], {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8790, latencyMs: 0 });
    const banner = bannerLines('http://127.0.0.1:8790', config).join('\n');
    expect(banner.split('\n')[0]).toBe('provider sandbox listening on http://127.0.0.1:8790');
    expect(banner).toContain(DEMO_ZEGO_APP.serverSecret);
    expect(banner).toContain(DEMO_AGORA_ACCOUNT.customerSecret);
  });

  test('reads accounts from the environment and never prints their secrets', () => {
    const config = configOf(['--port', '0', '--latency-ms', '25'], {
      ZEGO_APP_ID: '42',
      ZEGO_SERVER_SECRET: ENV_SECRET,
      ZEGO_APPS: JSON.stringify([{ appId: 43, serverSecret: 'apps-secret-0000', isTest: true }]),
      AGORA_CUSTOMER_ID: 'me',
      AGORA_CUSTOMER_SECRET: ENV_AGORA_SECRET,
    });
    expect(config.port).toBe(0);
    expect(config.latencyMs).toBe(25);
    expect(config.zegoApps.map((app) => [app.appId, app.isTest === true])).toEqual([
      [43, true],
      [42, false],
    ]);
    const banner = bannerLines('http://127.0.0.1:1', config).join('\n');
    for (const secret of [ENV_SECRET, 'apps-secret-0000', ENV_AGORA_SECRET]) expect(banner).not.toContain(secret);
    expect(banner).toContain('AppId 42');
    expect(banner).toContain('customer me');
  });

  test('an environment secret equal to the demo one is still not printed', () => {
    const config = configOf([], { AGORA_CUSTOMER_ID: 'demo-customer', AGORA_CUSTOMER_SECRET: DEMO_AGORA_ACCOUNT.customerSecret });
    expect(bannerLines('http://x', config).join('\n')).not.toContain(`secret ${DEMO_AGORA_ACCOUNT.customerSecret}`);
  });

  test.each([
    [['--port', 'abc'], {}],
    [['--port', '70000'], {}],
    [['--verbose'], {}],
    [[], { ZEGO_APP_ID: '42' }],
    [[], { ZEGO_SERVER_SECRET: 'x' }],
    [[], { ZEGO_APPS: '{not json' }],
    [[], { ZEGO_APPS: '[{"appId": "x"}]' }],
    [[], { AGORA_CUSTOMER_ID: 'only-id' }],
  ])('refuses %j with env %j, one line per problem', (argv, env) => {
    const read = readCliConfig(argv, env);
    expect('errors' in read && read.errors.length).toBe(1);
  });
});

describe('the process', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  test('starts on the given port, serves both providers, and stops on SIGTERM', async () => {
    const root = resolve(__dirname, '../../..');
    const spawned = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts', '--port', '0'], {
      cwd: root,
      env: { ...process.env, ZEGO_APP_ID: '42', ZEGO_SERVER_SECRET: ENV_SECRET, AGORA_CUSTOMER_ID: 'me', AGORA_CUSTOMER_SECRET: ENV_AGORA_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = spawned;
    const output: string[] = [];
    const lines = createInterface({ input: spawned.stdout! });
    let url: string | undefined;
    for await (const line of lines) {
      output.push(line);
      url = /^provider sandbox listening on (http:\/\/\S+)$/.exec(line)?.[1] ?? url;
      if (line.includes('control')) break;
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(output.join('\n')).not.toContain(ENV_SECRET);
    expect(output.join('\n')).not.toContain(ENV_AGORA_SECRET);

    const zegoAnswer = await zego(url!, { appId: 42, secret: ENV_SECRET, query: 'RoomId=r' });
    expect(zegoAnswer.body.Code).toBe(0);
    const agoraAnswer = await agora(url!, 'GET', '/na/v1/projects/app/rtls/ingress/online-streams', { authorization: basicAuth('me', ENV_AGORA_SECRET) });
    expect(agoraAnswer.status).toBe(200);

    const exited = once(spawned, 'exit');
    spawned.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  }, 30_000);
});
