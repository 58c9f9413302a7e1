/**
 * Where and how to reach Temporal, read the way the Temporal CLI reads it: the SDK's
 * `@temporalio/envconfig` loads the TOML config file profile (`TEMPORAL_CONFIG_FILE`,
 * `TEMPORAL_PROFILE`) and lays `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
 * `TEMPORAL_TLS*` and `TEMPORAL_GRPC_META_*` over it. This module adds the contract's defaults and
 * checks everything it can before a socket is opened (files readable, PEM parseable, key matches
 * certificate), with one line per problem that names the variable or file entry to fix. No line
 * ever holds an API key or key material.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';

/** The contract's defaults (DESIGN.md "Running it"). */
export const TEMPORAL_DEFAULTS = {
  /** @default localhost:7233 */
  address: 'localhost:7233',
  /** @default default */
  namespace: 'default',
} as const;

export const TEMPORAL_AUTH = { plaintext: 'plaintext', tls: 'tls', mtls: 'mtls', apiKey: 'api-key' } as const;
export type TemporalAuth = (typeof TEMPORAL_AUTH)[keyof typeof TEMPORAL_AUTH];

/** Options for `Connection.connect` and `NativeConnection.connect` alike. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  auth: TemporalAuth;
  connectionOptions: TemporalConnectionOptions;
  /** One line that is safe to log: address, namespace, how it authenticates; never a secret. */
  summary: string;
  /** Where a server CA came from, if one was given (for failure hints). */
  serverCaSource?: string;
  /** Where the client certificate came from, if one was given (for failure hints). */
  clientCertSource?: string;
}

export class TemporalConnectionConfigError extends Error {
  override readonly name = 'TemporalConnectionConfigError';
  readonly code = 'TEMPORAL_CONNECTION_CONFIG';
  constructor(readonly problems: string[]) {
    super(`invalid Temporal connection settings: ${problems.join('; ')}`);
  }
}

/** Each setting: the variables that set it, and its key in a config file profile. */
const FIELDS = {
  address: { env: ['TEMPORAL_ADDRESS'], toml: 'address' },
  namespace: { env: ['TEMPORAL_NAMESPACE'], toml: 'namespace' },
  clientCert: { env: ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_CERT_DATA'], toml: 'tls.client_cert' },
  clientKey: { env: ['TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_CLIENT_KEY_DATA'], toml: 'tls.client_key' },
  serverCACert: { env: ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_DATA'], toml: 'tls.server_ca_cert' },
} as const;
type Field = keyof typeof FIELDS;

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

type Env = Record<string, string>;

function definedEnv(env: NodeJS.ProcessEnv): Env {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The config file envconfig reads: `TEMPORAL_CONFIG_FILE`, else the per-user default. */
function configFilePath(env: Env): string | undefined {
  if (env.TEMPORAL_CONFIG_FILE !== undefined) return env.TEMPORAL_CONFIG_FILE;
  const home = env.HOME;
  if (os.platform() === 'win32') return env.APPDATA ? path.join(env.APPDATA, 'temporalio', 'temporal.toml') : undefined;
  if (os.platform() === 'darwin') return home ? path.join(home, 'Library', 'Application Support', 'temporalio', 'temporal.toml') : undefined;
  const dir = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : home && path.join(home, '.config');
  return dir ? path.join(dir, 'temporalio', 'temporal.toml') : undefined;
}

/** Names where a setting came from: the variable when set, else the profile entry in the file. */
function origin(field: Field, env: Env, profileLabel: string, source?: ConfigDataSource): string {
  const spec = FIELDS[field];
  if (source) {
    const suffix = 'path' in source ? 'PATH' : 'DATA';
    const variable = spec.env.find((name) => name.endsWith(suffix) || spec.env.length === 1);
    if (variable && env[variable] !== undefined) return variable;
    return `${profileLabel} ${spec.toml}_${suffix.toLowerCase()}`;
  }
  const variable = spec.env.find((name) => env[name] !== undefined);
  return variable ?? `${profileLabel} ${spec.toml}`;
}

function readSource(source: ConfigDataSource, where: string, problems: string[]): Buffer | undefined {
  if ('data' in source) {
    if (source.data.length === 0) problems.push(`${where}: is empty`);
    return source.data.length ? Buffer.from(source.data) : undefined;
  }
  if (source.path === '') {
    problems.push(`${where}: is empty`);
    return undefined;
  }
  try {
    return readFileSync(source.path);
  } catch (err) {
    problems.push(`${where}: cannot read ${source.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return undefined;
  }
}

function parseCertificate(pem: Buffer, where: string, problems: string[]): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    problems.push(`${where}: does not hold a PEM certificate`);
    return undefined;
  }
}

function parseKey(pem: Buffer, where: string, problems: string[]): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    // The parser's message never includes key material, but it is not echoed anyway.
    const encrypted = /passphrase/i.test((err as Error).message);
    problems.push(`${where}: ${encrypted ? 'is an encrypted key; give the key without a passphrase' : 'does not hold a PEM private key'}`);
    return undefined;
  }
}

function checkValidity(cert: X509Certificate, where: string, now: Date, problems: string[]): void {
  if (new Date(cert.validTo) < now) problems.push(`${where}: the certificate expired on ${new Date(cert.validTo).toISOString()}`);
  else if (new Date(cert.validFrom) > now) problems.push(`${where}: the certificate is not valid before ${new Date(cert.validFrom).toISOString()}`);
}

/** A certificate's subject on one line, e.g. `CN=takedown-worker`. */
function subjectOf(cert: X509Certificate): string {
  return cert.subject.split('\n').join(', ');
}

const LOAD_FAILURES: { match: RegExp; problem: (m: RegExpMatchArray, file: string) => string }[] = [
  { match: /^Profile '(.*)' not found/, problem: (m, file) => `TEMPORAL_PROFILE: no profile "${m[1]}" in ${file}` },
  {
    match: /^Cannot specify both (\w+)_path and \w+_data/,
    problem: (m) => `TEMPORAL_TLS_${m[1]!.toUpperCase()}_PATH and TEMPORAL_TLS_${m[1]!.toUpperCase()}_DATA (or tls.${m[1]}_path and _data): give one, not both`,
  },
];

function loadProfile(env: Env, problems: string[]): { profile?: ClientConfigProfile; label: string } {
  const file = configFilePath(env);
  const profileName = env.TEMPORAL_PROFILE || 'default';
  const label = `${file ?? 'config file'} [profile.${profileName}]`;
  // envconfig tolerates a missing file; one named explicitly that is missing is a typo to report.
  if (env.TEMPORAL_CONFIG_FILE !== undefined) {
    try {
      accessSync(env.TEMPORAL_CONFIG_FILE, constants.R_OK);
    } catch (err) {
      problems.push(`TEMPORAL_CONFIG_FILE: cannot read ${env.TEMPORAL_CONFIG_FILE}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      return { label };
    }
  }
  try {
    return { profile: loadClientConfigProfile({ overrideEnvVars: env }), label };
  } catch (err) {
    const message = (err as Error).message;
    for (const { match, problem } of LOAD_FAILURES) {
      const m = match.exec(message);
      if (m) {
        problems.push(problem(m, file ?? 'the config file (none found)'));
        return { label };
      }
    }
    problems.push(`${file ?? 'config file'}: ${message.split('\n')[0]}`);
    return { label };
  }
}

/**
 * Reads the connection settings. Returns them with no problems, or the problems (one line each,
 * naming the variable or file entry) and no settings.
 */
export function readTemporalConnection(
  processEnv: NodeJS.ProcessEnv = process.env,
  now: Date = new Date(),
): { settings?: TemporalConnectionSettings; problems: string[] } {
  const env = definedEnv(processEnv);
  const problems: string[] = [];
  const { profile, label } = loadProfile(env, problems);
  if (!profile) return { problems };

  const address = profile.address ?? TEMPORAL_DEFAULTS.address;
  const hostPort = HOST_PORT.exec(address);
  if (!hostPort || Number(hostPort[2]) > 65535) problems.push(`${origin('address', env, label)}: must be host:port`);
  const namespace = profile.namespace ?? TEMPORAL_DEFAULTS.namespace;
  if (namespace.trim() === '') problems.push(`${origin('namespace', env, label)}: must not be empty`);

  // An empty TEMPORAL_API_KEY overrides a key in the file with none (envconfig's own precedence).
  const apiKey = profile.apiKey === '' ? undefined : profile.apiKey;
  const tls = profile.tls;
  const tlsOn = tls ? tls.disabled !== true : apiKey !== undefined;
  if (env.TEMPORAL_TLS !== undefined && !['true', 'false', '1', '0'].includes(env.TEMPORAL_TLS)) {
    // envconfig reads anything but "true" or "1" as false: a typo would silently turn TLS off.
    problems.push('TEMPORAL_TLS: must be true or false');
  }
  if (env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === 'true' || env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === '1') {
    // The TypeScript SDK's TLS options have no such switch; envconfig drops it silently.
    problems.push('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: not supported by this worker; set TEMPORAL_TLS_SERVER_NAME to a name in the server certificate instead');
  }

  let clientCertSubject: string | undefined;
  let serverCaSource: string | undefined;
  let clientCertSource: string | undefined;
  if (tlsOn && tls) {
    const certWhere = tls.clientCert && origin('clientCert', env, label, tls.clientCert);
    const keyWhere = tls.clientKey && origin('clientKey', env, label, tls.clientKey);
    if (tls.clientCert && !tls.clientKey) problems.push(`${certWhere}: a client certificate needs its key (TEMPORAL_TLS_CLIENT_KEY_PATH)`);
    if (tls.clientKey && !tls.clientCert) problems.push(`${keyWhere}: a client key needs its certificate (TEMPORAL_TLS_CLIENT_CERT_PATH)`);
    const certPem = tls.clientCert && readSource(tls.clientCert, certWhere!, problems);
    const keyPem = tls.clientKey && readSource(tls.clientKey, keyWhere!, problems);
    const cert = certPem ? parseCertificate(certPem, certWhere!, problems) : undefined;
    const key = keyPem ? parseKey(keyPem, keyWhere!, problems) : undefined;
    if (cert) {
      checkValidity(cert, certWhere!, now, problems);
      clientCertSubject = subjectOf(cert);
      clientCertSource = certWhere;
    }
    if (cert && key && !cert.checkPrivateKey(key)) problems.push(`${keyWhere}: the key does not belong to the client certificate in ${certWhere}`);
    if (tls.serverCACert) {
      const caWhere = origin('serverCACert', env, label, tls.serverCACert);
      const caPem = readSource(tls.serverCACert, caWhere, problems);
      const ca = caPem ? parseCertificate(caPem, caWhere, problems) : undefined;
      if (ca) checkValidity(ca, caWhere, now, problems);
      serverCaSource = 'path' in tls.serverCACert ? tls.serverCACert.path : caWhere;
    }
  }
  if (problems.length) return { problems };

  const options = toClientOptions({ ...profile, address, namespace, apiKey }).connectionOptions;
  const connectionOptions: TemporalConnectionOptions = {
    address,
    ...(options.tls !== undefined && options.tls !== null ? { tls: options.tls } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(options.metadata ? { metadata: options.metadata as Record<string, string> } : {}),
  };
  const auth: TemporalAuth = !tlsOn ? TEMPORAL_AUTH.plaintext : apiKey !== undefined ? TEMPORAL_AUTH.apiKey : clientCertSubject ? TEMPORAL_AUTH.mtls : TEMPORAL_AUTH.tls;
  const tlsDetails = [
    clientCertSubject && `client certificate ${clientCertSubject}`,
    serverCaSource ? `server CA ${serverCaSource}` : 'system CAs',
    tls?.serverName && `server name ${tls.serverName}`,
  ].filter(Boolean);
  const how = {
    [TEMPORAL_AUTH.plaintext]: apiKey !== undefined ? 'plaintext with an API key' : 'plaintext',
    [TEMPORAL_AUTH.apiKey]: `API key over TLS (${tlsDetails.join(', ')})`,
    [TEMPORAL_AUTH.mtls]: `mTLS (${tlsDetails.join(', ')})`,
    [TEMPORAL_AUTH.tls]: `TLS (${tlsDetails.join(', ')})`,
  }[auth];
  const profileNote = env.TEMPORAL_PROFILE ? `, profile ${env.TEMPORAL_PROFILE}` : '';
  return {
    problems: [],
    settings: {
      address,
      namespace,
      auth,
      connectionOptions,
      summary: `${address}, namespace ${namespace}, ${how}${profileNote}`,
      ...(serverCaSource ? { serverCaSource } : {}),
      ...(clientCertSource ? { clientCertSource } : {}),
    },
  };
}

/** Reads the connection settings or throws one error listing every problem. */
export function loadTemporalConnection(env: NodeJS.ProcessEnv = process.env): TemporalConnectionSettings {
  const { settings, problems } = readTemporalConnection(env);
  if (!settings) throw new TemporalConnectionConfigError(problems);
  return settings;
}

/** Every variable that steers the connection (config file, profile, address, TLS, API key, headers). */
export function isTemporalConnectionVariable(name: string): boolean {
  return /^TEMPORAL_(ADDRESS|NAMESPACE|API_KEY|TLS($|_)|PROFILE$|CONFIG_FILE$|GRPC_META_)/.test(name);
}

/**
 * The environment for a child process (the dev stack's worker) that must reach a local dev server
 * in plaintext whatever the caller's own Temporal settings: those are removed, TLS is off, and an
 * empty API key overrides any key in the caller's config file.
 */
export function devServerEnv(address: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(env).filter(([name]) => !isTemporalConnectionVariable(name)));
  return { ...kept, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: TEMPORAL_DEFAULTS.namespace, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: '' };
}

/** Settings for a dev server this process started itself: plaintext, namespace `default`. */
export function devServerConnection(address: string): TemporalConnectionSettings {
  return {
    address,
    namespace: TEMPORAL_DEFAULTS.namespace,
    auth: TEMPORAL_AUTH.plaintext,
    connectionOptions: { address },
    summary: `${address}, namespace ${TEMPORAL_DEFAULTS.namespace}, plaintext`,
  };
}
