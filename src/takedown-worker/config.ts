/**
 * Worker configuration from the environment (DESIGN.md "Running it") plus an optional JSON file
 * for several apps. A bad or missing setting stops the worker with one line per problem; no
 * message ever repeats a secret's value.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import type { Duration } from '@temporalio/common';
import { z } from 'zod';
import { EncryptionCodec, parsePayloadKeys } from '../codec/encryption';
import type { AgoraBucket, ZegoBucket } from '../workflows/plan';
import { readTemporalConnection, type TemporalConnectionSettings } from '../connection/settings';
import type { StepRetry } from '../workflows/types';

/**
 * Documented rate limits (requests per second) of every bucket of the plan's step kinds, per
 * app, except Agora's kicking rules: per customer account (zego.md §4.15, agora.md §6).
 */
export const DOCUMENTED_RATE_LIMITS = {
  /** `ForbidRule` is SetForbidUserRule, DescribeForbidUserRules and DelForbidUserRule. */
  zego: { DeleteStream: 10, StopMix: 100, KickoutUser: 50, DescribeSimpleStreamList: 50, ForbidRule: 10 } satisfies Record<ZegoBucket, number>,
  /** ZEGO's test environment (`IsTest`) documents DeleteStream at 1/s; the others give no figure. */
  zegoTest: { DeleteStream: 1, StopMix: 100, KickoutUser: 50, DescribeSimpleStreamList: 50, ForbidRule: 10 } satisfies Record<ZegoBucket, number>,
  /** Agora Media Gateway: key delete and force disconnect share the Delete class; lists are queries. Kicking rules: per account. */
  agora: { delete: 50, query: 100, kickingRule: 10 } satisfies Record<AgoraBucket, number>,
} as const;

/** Agora buckets whose limit holds per customer account, not per App ID: one queue per account. */
export const AGORA_ACCOUNT_BUCKETS = ['kickingRule'] as const satisfies readonly AgoraBucket[];

/** Per-bucket overrides of one provider's limits; a bucket the provider does not have is refused. */
function rateOverrides<B extends string>(buckets: Record<B, number>) {
  const names = Object.keys(buckets) as B[];
  return z
    .record(z.string(), z.number().positive('must be a positive number'))
    .superRefine((limits, ctx) => {
      for (const key of Object.keys(limits)) {
        if (!(names as string[]).includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: `unknown rate-limit bucket (known: ${names.join(', ')})` });
      }
    })
    .optional()
    .transform((limits) => (limits ?? {}) as Partial<Record<B, number>>);
}

const secret = z.string().min(1, 'must not be empty');
const durationText = z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|seconds?|minutes?|hours?)$/, 'must be a duration such as 200ms, 10s or 5 minutes')
  .transform((text) => text as Duration);
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const zegoApp = z.strictObject({
  appId: z.number().int().min(1).max(4294967295),
  serverSecret: secret,
  isTest: z.boolean().default(false),
  /** Per-bucket overrides, e.g. `{ "DeleteStream": 5 }`. */
  rateLimits: rateOverrides(DOCUMENTED_RATE_LIMITS.zego),
});

const agoraAccount = z.strictObject({
  customerId: secret,
  customerSecret: secret,
  /** App IDs served with this account; each gets its own rate-limited queues. Empty: any app, shared queues. */
  appIds: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an Agora App ID')).default([]),
  rateLimits: rateOverrides(DOCUMENTED_RATE_LIMITS.agora),
});

const configFile = z.strictObject({
  zego: z.array(zegoApp).default([]),
  agora: z.array(agoraAccount).default([]),
});

export type ZegoAppSettings = z.output<typeof zegoApp>;
export type AgoraAccountSettings = z.output<typeof agoraAccount>;

export interface WorkerConfig {
  temporal: { address: string; namespace: string };
  /** How to connect (TLS, API key, config file profile): `src/connection`. */
  temporalConnection: TemporalConnectionSettings;
  /**
   * Workflow task queue; activity queues are named under it.
   * @default `takedown`
   */
  taskQueue: string;
  /** `maxRuleSeconds`: the longest user-ban rule ZEGO keeps (`ZEGO_MAX_RULE_SECONDS`). @default 86400 */
  zego: { apiUrl: string; operatorUserId: string; apps: ZegoAppSettings[]; maxRuleSeconds: number };
  /** `maxRuleSeconds`: the longest kicking rule Agora keeps (`AGORA_MAX_RULE_SECONDS`). @default 86430 */
  agora: { apiUrl: string; accounts: AgoraAccountSettings[]; maxRuleSeconds: number };
  retry: StepRetry;
  /**
   * Task queues and pacers run at the provider limit times this, for headroom at the provider's end; at most 0.95.
   * @default 0.9
   */
  rateHeadroom: number;
  /**
   * How provider calls are spread over activity task queues (`TAKEDOWN_QUEUE_LAYOUT`): `per-app`,
   * a queue per app and rate-limit bucket; `shared`, a queue per provider and bucket with a
   * fairness key and rate per app, which needs server fairness (`matching.enableFairness`). See
   * README, "Queue layouts".
   * @default `per-app`
   */
  queueLayout: QueueLayout;
  /**
   * Prometheus bind address, or undefined for no metrics endpoint.
   * @default `127.0.0.1:9464`
   */
  metricsAddress?: string;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Encrypts every payload (workflow inputs hold Agora stream keys) when payload keys are configured. */
  payloadCodec?: EncryptionCodec;
  /** A pre-built workflow bundle (`npm run bundle`); unset, the worker bundles `src/workflows` at start. */
  workflowBundlePath?: string;
}

/** The activity queue layouts (`TAKEDOWN_QUEUE_LAYOUT`). */
export const QUEUE_LAYOUTS = ['per-app', 'shared'] as const;
export type QueueLayout = (typeof QUEUE_LAYOUTS)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid worker configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const envSchema = z.object({
  TAKEDOWN_TASK_QUEUE: z.string().min(1).default('takedown'),
  TAKEDOWN_CONFIG_FILE: z.string().optional(),
  ZEGO_APP_ID: z.string().regex(/^\d{1,10}$/, 'must be a decimal ZEGO AppId').optional(),
  ZEGO_SERVER_SECRET: secret.optional(),
  ZEGO_IS_TEST: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  ZEGO_API_URL: httpUrl.default('https://rtc-api.zego.im'),
  ZEGO_OPERATOR_USER_ID: z.string().min(1).max(64).default('takedown-operator'),
  AGORA_CUSTOMER_ID: secret.optional(),
  AGORA_CUSTOMER_SECRET: secret.optional(),
  AGORA_APP_IDS: z.string().optional(),
  AGORA_API_URL: httpUrl.default('https://api.agora.io'),
  // Bans renew their rule before it lapses; these are the providers' caps on one rule (DESIGN.md "Bans").
  ZEGO_MAX_RULE_SECONDS: z.coerce.number().int('must be a whole number of seconds').min(1, 'must be from 1 to 86400').max(86_400, 'must be from 1 to 86400').default(86_400),
  AGORA_MAX_RULE_SECONDS: z.coerce.number().int('must be a whole number of seconds').min(10, 'must be from 10 to 86430').max(86_430, 'must be from 10 to 86430').default(86_430),
  TAKEDOWN_RETRY_INITIAL_INTERVAL: durationText.default('200ms'),
  TAKEDOWN_RETRY_MAXIMUM_INTERVAL: durationText.default('10s'),
  TAKEDOWN_RETRY_MAXIMUM_ATTEMPTS: z.coerce.number().int().min(1, 'must be at least 1').default(50),
  TAKEDOWN_STEP_BUDGET: durationText.default('5 minutes'),
  // Above 0.95 the pacer would have almost no room for a slot reached a little late (pacer.ts).
  TAKEDOWN_RATE_HEADROOM: z.coerce.number().gt(0, 'must be above 0').max(0.95, 'must be at most 0.95').default(0.9),
  TAKEDOWN_QUEUE_LAYOUT: z.enum(QUEUE_LAYOUTS, { error: `must be one of ${QUEUE_LAYOUTS.join(', ')}` }).default('per-app'),
  TAKEDOWN_METRICS_ADDRESS: z.string().default('127.0.0.1:9464'),
  TAKEDOWN_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  TAKEDOWN_WORKFLOW_BUNDLE: z.string().optional(),
});

/**
 * The payload codec from `TAKEDOWN_PAYLOAD_KEYS` (`id:base64key,...`) and `TAKEDOWN_PAYLOAD_KEY_ID`
 * (the key new payloads use; default the first). Undefined when no keys are set.
 */
export function loadPayloadCodec(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | undefined {
  const spec = env.TAKEDOWN_PAYLOAD_KEYS;
  if (spec === undefined || spec.trim() === '') return undefined;
  let keys: Map<string, Buffer>;
  try {
    keys = parsePayloadKeys(spec);
  } catch (err) {
    throw new ConfigError([`TAKEDOWN_PAYLOAD_KEYS: ${(err as Error).message}`]);
  }
  const current = env.TAKEDOWN_PAYLOAD_KEY_ID ?? [...keys.keys()][0]!;
  if (!keys.has(current)) throw new ConfigError([`TAKEDOWN_PAYLOAD_KEY_ID: ${current} is not a key id in TAKEDOWN_PAYLOAD_KEYS`]);
  return new EncryptionCodec(keys, current);
}

function issues(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${prefix}${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
}

function readConfigFile(file: string): { value?: z.output<typeof configFile>; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { problems: [`TAKEDOWN_CONFIG_FILE: cannot read ${file}: ${(err as Error).message.split('\n')[0]}`] };
  }
  const parsed = configFile.safeParse(raw);
  return parsed.success ? { value: parsed.data, problems: [] } : { problems: issues(`TAKEDOWN_CONFIG_FILE ${file}: `, parsed.error) };
}

/** A credential is a pair: one half without the other is a mistake, not "provider off". */
function missingHalves(env: NodeJS.ProcessEnv): string[] {
  const pairs = [
    ['ZEGO_APP_ID', 'ZEGO_SERVER_SECRET'],
    ['AGORA_CUSTOMER_ID', 'AGORA_CUSTOMER_SECRET'],
  ] as const;
  return pairs.flatMap(([a, b]) => {
    if (Boolean(env[a]) === Boolean(env[b])) return [];
    const [missing, present] = env[a] ? [b, a] : [a, b];
    return [`${missing}: is required when ${present} is set`];
  });
}

/** Reads and checks the whole configuration; throws one ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const connection = readTemporalConnection(env);
  const parsed = envSchema.safeParse(env);
  const problems = [...connection.problems, ...(parsed.success ? [] : issues('', parsed.error))];
  problems.push(...missingHalves(env));
  if (!parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  const zegoApps: ZegoAppSettings[] = [];
  if (e.ZEGO_APP_ID && e.ZEGO_SERVER_SECRET) {
    zegoApps.push({ appId: Number(e.ZEGO_APP_ID), serverSecret: e.ZEGO_SERVER_SECRET, isTest: e.ZEGO_IS_TEST === 'true', rateLimits: {} });
  }
  const agoraAccounts: AgoraAccountSettings[] = [];
  if (e.AGORA_CUSTOMER_ID && e.AGORA_CUSTOMER_SECRET) {
    const appIds = (e.AGORA_APP_IDS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const bad = appIds.filter((id) => !/^[A-Za-z0-9_-]{1,64}$/.test(id));
    if (bad.length) problems.push(`AGORA_APP_IDS: ${bad.length} entr${bad.length === 1 ? 'y is' : 'ies are'} not an Agora App ID`);
    agoraAccounts.push({ customerId: e.AGORA_CUSTOMER_ID, customerSecret: e.AGORA_CUSTOMER_SECRET, appIds, rateLimits: {} });
  }
  if (e.TAKEDOWN_CONFIG_FILE) {
    const file = readConfigFile(e.TAKEDOWN_CONFIG_FILE);
    problems.push(...file.problems);
    zegoApps.push(...(file.value?.zego ?? []));
    agoraAccounts.push(...(file.value?.agora ?? []));
  }

  const seen = new Set<number>();
  for (const app of zegoApps) {
    if (seen.has(app.appId)) problems.push(`ZEGO app ${app.appId}: configured more than once`);
    seen.add(app.appId);
  }
  if (agoraAccounts.filter((a) => a.appIds.length === 0).length > 1) {
    problems.push('Agora: more than one account serves any App ID; list appIds for each account');
  }
  if (zegoApps.length === 0 && agoraAccounts.length === 0 && problems.length === 0) {
    problems.push('no provider configured: set ZEGO_APP_ID and ZEGO_SERVER_SECRET, or AGORA_CUSTOMER_ID and AGORA_CUSTOMER_SECRET (or TAKEDOWN_CONFIG_FILE)');
  }
  const bundle = e.TAKEDOWN_WORKFLOW_BUNDLE?.trim() || undefined;
  if (bundle) {
    try {
      accessSync(bundle, constants.R_OK);
    } catch (err) {
      problems.push(`TAKEDOWN_WORKFLOW_BUNDLE: cannot read ${bundle}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  let payloadCodec: EncryptionCodec | undefined;
  try {
    payloadCodec = loadPayloadCodec(env);
  } catch (err) {
    problems.push(...(err as ConfigError).problems);
  }
  if (problems.length || !connection.settings) throw new ConfigError(problems);
  const temporalConnection = connection.settings;

  const metrics = e.TAKEDOWN_METRICS_ADDRESS.trim();
  return {
    temporal: { address: temporalConnection.address, namespace: temporalConnection.namespace },
    temporalConnection,
    taskQueue: e.TAKEDOWN_TASK_QUEUE,
    zego: { apiUrl: e.ZEGO_API_URL, operatorUserId: e.ZEGO_OPERATOR_USER_ID, apps: zegoApps, maxRuleSeconds: e.ZEGO_MAX_RULE_SECONDS },
    agora: { apiUrl: e.AGORA_API_URL, accounts: agoraAccounts, maxRuleSeconds: e.AGORA_MAX_RULE_SECONDS },
    retry: {
      initialInterval: e.TAKEDOWN_RETRY_INITIAL_INTERVAL,
      maximumInterval: e.TAKEDOWN_RETRY_MAXIMUM_INTERVAL,
      maximumAttempts: e.TAKEDOWN_RETRY_MAXIMUM_ATTEMPTS,
      budget: e.TAKEDOWN_STEP_BUDGET,
    },
    rateHeadroom: e.TAKEDOWN_RATE_HEADROOM,
    queueLayout: e.TAKEDOWN_QUEUE_LAYOUT,
    metricsAddress: metrics === '' || metrics === 'off' ? undefined : metrics,
    logLevel: e.TAKEDOWN_LOG_LEVEL,
    ...(payloadCodec ? { payloadCodec } : {}),
    ...(bundle ? { workflowBundlePath: bundle } : {}),
  };
}
