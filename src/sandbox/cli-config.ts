/** The sandbox CLI's configuration from argv and the environment, and what it prints at start. */
import { z } from 'zod';
import { DEMO_AGORA_ACCOUNT, DEMO_AGORA_APP_ID, DEMO_ZEGO_APP } from './demo-accounts';

/** Port when `--port` is not given. */
export const DEFAULT_CLI_PORT = 8790;

interface Credential {
  /** True when it is the demo default, the only case in which its secret may be printed. */
  demo: boolean;
}

/** What the CLI runs with; secrets are kept apart from whether they may be shown. */
export interface CliConfig {
  host: string;
  port: number;
  latencyMs: number;
  zegoApps: ({ appId: number; serverSecret: string; isTest?: boolean } & Credential)[];
  agoraAccounts: ({ customerId: string; customerSecret: string } & Credential)[];
}

const zegoAppsSchema = z
  .array(z.strictObject({ appId: z.number().int().min(1).max(4_294_967_295), serverSecret: z.string().min(1), isTest: z.boolean().optional() }))
  .min(1);

const FLAGS = {
  '--port': { field: 'port', max: 65_535 },
  '--latency-ms': { field: 'latencyMs', max: Number.MAX_SAFE_INTEGER },
} as const;

/** Printed with an argument error. */
export const CLI_USAGE = 'usage: npm run sandbox -- [--port N] [--latency-ms N] [--host ADDRESS]';

/** Reads the configuration; every problem is one line, so the CLI can print them all and stop. */
export function readCliConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): { config: CliConfig } | { errors: string[] } {
  const errors: string[] = [];
  const numbers = { port: DEFAULT_CLI_PORT, latencyMs: 0 };
  let host = '127.0.0.1';
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const value = argv[i + 1];
    if (flag === '--host' && value !== undefined) {
      host = value;
    } else if (Object.hasOwn(FLAGS, flag) && value !== undefined && /^\d+$/.test(value) && Number(value) <= FLAGS[flag as keyof typeof FLAGS].max) {
      numbers[FLAGS[flag as keyof typeof FLAGS].field] = Number(value);
    } else {
      errors.push(`bad argument ${JSON.stringify(flag)}${value === undefined ? '' : ` ${JSON.stringify(value)}`}; ${CLI_USAGE}`);
    }
  }
  const zegoApps = readZegoApps(env, errors);
  const agoraAccounts = readAgoraAccounts(env, errors);
  return errors.length > 0 ? { errors } : { config: { host, ...numbers, zegoApps, agoraAccounts } };
}

function blank(value: string | undefined): value is undefined {
  return value === undefined || value.trim() === '';
}

function readZegoApps(env: Readonly<Record<string, string | undefined>>, errors: string[]): CliConfig['zegoApps'] {
  const apps: CliConfig['zegoApps'] = [];
  if (!blank(env.ZEGO_APPS)) {
    try {
      const parsed = zegoAppsSchema.safeParse(JSON.parse(env.ZEGO_APPS));
      if (parsed.success) apps.push(...parsed.data.map((app) => ({ ...app, demo: false })));
      else errors.push('ZEGO_APPS must be a JSON array of {appId, serverSecret, isTest?} with a uint32 appId');
    } catch {
      errors.push('ZEGO_APPS is not valid JSON');
    }
  }
  const { ZEGO_APP_ID: appId, ZEGO_SERVER_SECRET: secret } = env;
  if (!blank(appId) || !blank(secret)) {
    if (blank(appId) || !/^\d{1,10}$/.test(appId) || Number(appId) > 4_294_967_295 || Number(appId) === 0) {
      errors.push('ZEGO_APP_ID must be a uint32 (decimal) when ZEGO_SERVER_SECRET is set');
    } else if (blank(secret)) {
      errors.push('ZEGO_SERVER_SECRET is required with ZEGO_APP_ID');
    } else {
      apps.push({ appId: Number(appId), serverSecret: secret, demo: false });
    }
  }
  const ids = apps.map((app) => app.appId);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) errors.push(`ZEGO app ${duplicate} is configured twice`);
  return apps.length > 0 ? apps : [{ ...DEMO_ZEGO_APP, demo: true }];
}

function readAgoraAccounts(env: Readonly<Record<string, string | undefined>>, errors: string[]): CliConfig['agoraAccounts'] {
  const { AGORA_CUSTOMER_ID: customerId, AGORA_CUSTOMER_SECRET: customerSecret } = env;
  if (blank(customerId) && blank(customerSecret)) return [{ ...DEMO_AGORA_ACCOUNT, demo: true }];
  if (blank(customerId) || blank(customerSecret)) {
    errors.push('AGORA_CUSTOMER_ID and AGORA_CUSTOMER_SECRET must be set together');
    return [];
  }
  return [{ customerId, customerSecret, demo: false }];
}

/**
 * The start banner. Its first line is stable (`provider sandbox listening on <url>`) so scripts
 * can wait for it. Secrets appear only when they are the public demo defaults.
 */
export function bannerLines(url: string, config: CliConfig): string[] {
  const secret = (value: string, demo: boolean): string => (demo ? `${value} (demo default)` : '(from the environment, not shown)');
  return [
    `provider sandbox listening on ${url}`,
    `  ZEGO   ${url}/?Action=…  (DeleteStream, KickoutUser, StopMix, DescribeSimpleStreamList, Set/Describe/DelForbidUserRule)`,
    ...config.zegoApps.map(
      (app) => `    AppId ${app.appId}${app.isTest === true ? ' (test environment)' : ''}  ServerSecret ${secret(app.serverSecret, app.demo)}`,
    ),
    `  Agora  ${url}/{na|eu|ap|cn}/v1/projects/{appId}/rtls/ingress/…  and  ${url}/dev/v1/kicking-rule`,
    ...config.agoraAccounts.map((account) => `    customer ${account.customerId}  secret ${secret(account.customerSecret, account.demo)}`),
    `    any App ID is accepted, e.g. ${DEMO_AGORA_APP_ID}`,
    `  control ${url}/_sandbox/  (latency ${config.latencyMs} ms)`,
  ];
}
