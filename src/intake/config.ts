/**
 * The intake's configuration from the environment. A missing or malformed setting stops it at
 * start with one line per problem; no line ever repeats a secret's value.
 */
import { readTemporalConnection, type TemporalConnectionSettings } from '../connection/settings';
import { z } from 'zod';
import type { EncryptionCodec } from '../codec/encryption';
import { ConfigError as WorkerConfigError, loadPayloadCodec } from '../takedown-worker/config';
import { type Policy, PolicyError, loadPolicy } from './policy';

export interface HostPort {
  host: string;
  port: number;
}

export interface IntakeConfig {
  /** Where the HTTP server listens. @default 127.0.0.1:8787 */
  address: HostPort;
  /** How to reach Temporal (`src/connection`); `connectionOptions` absent means plaintext to `address`. */
  temporal: Pick<TemporalConnectionSettings, 'address' | 'namespace'> & Partial<Pick<TemporalConnectionSettings, 'connectionOptions' | 'summary'>>;
  /** Workflow task queue takedowns and reviews start on. @default takedown */
  taskQueue: string;
  /** Standard Webhooks key for `/v1/decisions` (`whsec_<base64>`); unset, the route answers 401. */
  decisionsSecret?: string;
  /** ZEGO CallbackSecret for `/zego/censor`. */
  zegoCallbackSecret?: string;
  /** ActiveFence webhook API key (`X-Api-Key`) for `/activefence`. */
  activefenceApiKey?: string;
  /** Secret path segment of `/hive/<token>`. */
  hiveToken?: string;
  /** The policy (required when a classifier route is configured). */
  policy?: Policy;
  policyFile?: string;
  /** Prometheus endpoint, or undefined for none. @default 127.0.0.1:9465 */
  metricsAddress?: HostPort;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** The workers' payload codec: inputs the intake starts must be encrypted the same way. */
  payloadCodec?: EncryptionCodec;
}

export class IntakeConfigError extends Error {
  override readonly name = 'IntakeConfigError';
  readonly code = 'TAKEDOWN_INTAKE_CONFIG';
  constructor(readonly problems: string[]) {
    super(`invalid intake configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** `host:port`, `[v6]:port`; port 0 picks a free one. */
export function parseHostPort(text: string): HostPort | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  if (!match || Number(match[2]) > 65535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

const hostPort = (example: string) =>
  z.string().refine((t) => parseHostPort(t) !== undefined, `must be host:port, e.g. ${example}`);

/** Standard Webhooks keys: `whsec_` and the base64 of the key bytes. */
function decisionsSecretProblem(secret: string): string | undefined {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : undefined;
  if (base64 === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    return 'must be whsec_ followed by a base64 key (e.g. whsec_$(openssl rand -base64 32))';
  }
  if (Buffer.from(base64, 'base64').length < 16) return 'the key must be at least 16 bytes (24 to 64 are recommended)';
  return undefined;
}

const optionalSecret = z.string().optional().transform((s) => (s === undefined || s === '' ? undefined : s));

const envSchema = z.object({
  TAKEDOWN_INTAKE_ADDRESS: hostPort('127.0.0.1:8787').default('127.0.0.1:8787'),
  TAKEDOWN_TASK_QUEUE: z.string().min(1, 'must not be empty').default('takedown'),
  TAKEDOWN_INTAKE_SECRET: optionalSecret.refine((s) => s === undefined || decisionsSecretProblem(s) === undefined, {
    error: (issue) => decisionsSecretProblem(String(issue.input)) ?? 'is malformed',
  }),
  ZEGO_CALLBACK_SECRET: optionalSecret.refine((s) => s === undefined || /^\S{1,256}$/.test(s), 'must be 1 to 256 characters without spaces'),
  // ActiveFence documents no format for its webhook keys: anything without spaces.
  TAKEDOWN_ACTIVEFENCE_API_KEY: optionalSecret.refine((s) => s === undefined || /^\S{1,512}$/.test(s), 'must be 1 to 512 characters without spaces'),
  // It is part of the callback URL Hive is given: URL-safe, and long enough not to be guessed.
  TAKEDOWN_HIVE_TOKEN: optionalSecret.refine((s) => s === undefined || /^[A-Za-z0-9_-]{16,256}$/.test(s), 'must be 16 to 256 letters, digits, _ or - (e.g. $(openssl rand -hex 24))'),
  TAKEDOWN_POLICY_FILE: z.string().optional(),
  TAKEDOWN_INTAKE_METRICS_ADDRESS: z.string().default('127.0.0.1:9465')
    .refine((t) => t.trim() === '' || t.trim() === 'off' || parseHostPort(t) !== undefined, 'must be host:port or off'),
  TAKEDOWN_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR'], { error: 'must be DEBUG, INFO, WARN or ERROR' }).default('INFO'),
});

/** Reads and checks the whole configuration (the policy file included); throws one error listing every problem. */
export function loadIntakeConfig(env: NodeJS.ProcessEnv = process.env): IntakeConfig {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // TEMPORAL_* (address, namespace, TLS, API key, profile) are read as the worker reads them.
  const connection = readTemporalConnection(env);
  problems.push(...connection.problems);
  let payloadCodec: EncryptionCodec | undefined;
  try {
    payloadCodec = loadPayloadCodec(env);
  } catch (err) {
    if (!(err instanceof WorkerConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (!parsed.success) throw new IntakeConfigError(problems);
  const e = parsed.data;

  const classifierRoutes = [
    ['ZEGO_CALLBACK_SECRET', e.ZEGO_CALLBACK_SECRET],
    ['TAKEDOWN_ACTIVEFENCE_API_KEY', e.TAKEDOWN_ACTIVEFENCE_API_KEY],
    ['TAKEDOWN_HIVE_TOKEN', e.TAKEDOWN_HIVE_TOKEN],
  ].filter(([, v]) => v !== undefined).map(([name]) => name!);
  if (classifierRoutes.length === 0 && e.TAKEDOWN_INTAKE_SECRET === undefined) {
    problems.push('no route configured: set TAKEDOWN_INTAKE_SECRET, ZEGO_CALLBACK_SECRET, TAKEDOWN_ACTIVEFENCE_API_KEY or TAKEDOWN_HIVE_TOKEN');
  }
  let policy: Policy | undefined;
  const policyFile = e.TAKEDOWN_POLICY_FILE?.trim() || undefined;
  if (policyFile) {
    try {
      policy = loadPolicy(policyFile);
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      problems.push(...err.problems);
    }
  } else if (classifierRoutes.length > 0) {
    problems.push(`TAKEDOWN_POLICY_FILE: is required with ${classifierRoutes.join(', ')} (it maps classifier verdicts to actions)`);
  }
  if (problems.length) throw new IntakeConfigError(problems);

  const metrics = e.TAKEDOWN_INTAKE_METRICS_ADDRESS.trim();
  return {
    address: parseHostPort(e.TAKEDOWN_INTAKE_ADDRESS)!,
    temporal: connection.settings!,
    taskQueue: e.TAKEDOWN_TASK_QUEUE,
    ...(e.TAKEDOWN_INTAKE_SECRET ? { decisionsSecret: e.TAKEDOWN_INTAKE_SECRET } : {}),
    ...(e.ZEGO_CALLBACK_SECRET ? { zegoCallbackSecret: e.ZEGO_CALLBACK_SECRET } : {}),
    ...(e.TAKEDOWN_ACTIVEFENCE_API_KEY ? { activefenceApiKey: e.TAKEDOWN_ACTIVEFENCE_API_KEY } : {}),
    ...(e.TAKEDOWN_HIVE_TOKEN ? { hiveToken: e.TAKEDOWN_HIVE_TOKEN } : {}),
    ...(policy ? { policy, policyFile } : {}),
    ...(metrics === '' || metrics === 'off' ? {} : { metricsAddress: parseHostPort(metrics)! }),
    logLevel: e.TAKEDOWN_LOG_LEVEL,
    ...(payloadCodec ? { payloadCodec } : {}),
  };
}
