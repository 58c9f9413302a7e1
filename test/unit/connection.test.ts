/**
 * Connection settings (src/connection): the CLI's variables and TOML profiles through
 * @temporalio/envconfig, the contract's defaults, the checks made before connecting, and the
 * one-line explanation of a failed connection. Certificates come from the same openssl helper
 * the cluster suite uses.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CONNECT_FAILURE,
  devServerEnv,
  explainConnectFailure,
  loadTemporalConnection,
  readTemporalConnection,
  recognizeConnectFailure,
  type TemporalConnectionSettings,
} from '../../src/connection';
import { makeClusterCerts, type ClusterCerts } from '../../src/devstack/cluster-certs';
import { ConfigError, loadConfig } from '../../src/takedown-worker/config';

let certs: ClusterCerts;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'takedown-connection-'));
  certs = makeClusterCerts(path.join(dir, 'certs'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const problems = (env: NodeJS.ProcessEnv, now?: Date): string[] => readTemporalConnection(env, now).problems;
const mtls = (): NodeJS.ProcessEnv => ({
  TEMPORAL_ADDRESS: 'temporal.example.com:7233',
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
  TEMPORAL_TLS_CLIENT_CERT_PATH: certs.workerCert,
  TEMPORAL_TLS_CLIENT_KEY_PATH: certs.workerKey,
});
const toml = (text: string): string => {
  const file = path.join(mkdtempSync(path.join(dir, 'toml-')), 'temporal.toml');
  writeFileSync(file, text);
  return file;
};

describe('settings from the environment', () => {
  test('the contract defaults: localhost:7233, namespace default, plaintext', () => {
    const s = loadTemporalConnection({});
    expect(s).toMatchObject({ address: 'localhost:7233', namespace: 'default', auth: 'plaintext' });
    expect(s.connectionOptions).toEqual({ address: 'localhost:7233' });
    expect(s.summary).toBe('localhost:7233, namespace default, plaintext');
  });

  test('an API key turns TLS on (Temporal Cloud) and never shows in the summary', () => {
    const s = loadTemporalConnection({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'moderation.a1b2c', TEMPORAL_API_KEY: 'secret-api-key-value' });
    expect(s.connectionOptions).toEqual({ address: 'us-east-1.aws.api.temporal.io:7233', tls: true, apiKey: 'secret-api-key-value' });
    expect(s.auth).toBe('api-key');
    expect(s.summary).toBe('us-east-1.aws.api.temporal.io:7233, namespace moderation.a1b2c, API key over TLS (system CAs)');
    expect(JSON.stringify(s.summary)).not.toContain('secret-api-key-value');
  });

  test('mTLS from files: CA, client pair and server name reach both connection kinds', () => {
    const s = loadTemporalConnection({ ...mtls(), TEMPORAL_TLS_SERVER_NAME: 'temporal' });
    expect(s.auth).toBe('mtls');
    const tls = s.connectionOptions.tls as { serverRootCACertificate: Uint8Array; clientCertPair: { crt: Uint8Array; key: Uint8Array }; serverNameOverride: string };
    expect(Buffer.from(tls.serverRootCACertificate).toString()).toBe(readFileSync(certs.ca, 'utf8'));
    expect(Buffer.from(tls.clientCertPair.crt).toString()).toBe(readFileSync(certs.workerCert, 'utf8'));
    expect(Buffer.from(tls.clientCertPair.key).toString()).toBe(readFileSync(certs.workerKey, 'utf8'));
    expect(tls.serverNameOverride).toBe('temporal');
    expect(s.summary).toBe(`temporal.example.com:7233, namespace default, mTLS (client certificate CN=takedown-worker, server CA ${certs.ca}, server name temporal)`);
  });

  test('PEM given inline (_DATA variables) works like files', () => {
    const s = loadTemporalConnection({
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: readFileSync(certs.ca, 'utf8'),
      TEMPORAL_TLS_CLIENT_CERT_DATA: readFileSync(certs.workerCert, 'utf8'),
      TEMPORAL_TLS_CLIENT_KEY_DATA: readFileSync(certs.workerKey, 'utf8'),
    });
    expect(s.auth).toBe('mtls');
    expect(s.summary).toBe('localhost:7233, namespace default, mTLS (client certificate CN=takedown-worker, server CA TEMPORAL_TLS_SERVER_CA_CERT_DATA)');
    expect(s.summary).not.toContain('BEGIN');
  });

  test('TEMPORAL_TLS=true alone: TLS with the system CAs; false turns configured TLS off', () => {
    expect(loadTemporalConnection({ TEMPORAL_TLS: 'true' })).toMatchObject({ auth: 'tls', connectionOptions: { tls: {} } });
    const off = loadTemporalConnection({ ...mtls(), TEMPORAL_TLS: 'false' });
    expect(off.auth).toBe('plaintext');
    expect(off.connectionOptions.tls).toBe(false);
  });

  test('gRPC headers from TEMPORAL_GRPC_META_*', () => {
    expect(loadTemporalConnection({ TEMPORAL_GRPC_META_X_TENANT: 'trust-and-safety' }).connectionOptions.metadata).toEqual({ 'x-tenant': 'trust-and-safety' });
  });
});

describe('problems, one line each, naming the variable', () => {
  test('address, namespace and TEMPORAL_TLS', () => {
    expect(problems({ TEMPORAL_ADDRESS: 'nope', TEMPORAL_NAMESPACE: ' ', TEMPORAL_TLS: 'yes' })).toEqual([
      'TEMPORAL_ADDRESS: must be host:port',
      'TEMPORAL_NAMESPACE: must not be empty',
      'TEMPORAL_TLS: must be true or false',
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'host:99999' })).toEqual(['TEMPORAL_ADDRESS: must be host:port']);
    expect(problems({ TEMPORAL_ADDRESS: '[::1]:7233' })).toEqual([]);
  });

  test('unreadable and unparseable files', () => {
    expect(problems({ ...mtls(), TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/worker.pem' })).toEqual([
      'TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read /nonexistent/worker.pem: ENOENT',
    ]);
    expect(problems({ ...mtls(), TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.workerKey })).toEqual(['TEMPORAL_TLS_SERVER_CA_CERT_PATH: does not hold a PEM certificate']);
    expect(problems({ ...mtls(), TEMPORAL_TLS_CLIENT_KEY_PATH: certs.ca })).toEqual(['TEMPORAL_TLS_CLIENT_KEY_PATH: does not hold a PEM private key']);
    expect(problems({ ...mtls(), TEMPORAL_TLS_CLIENT_CERT_PATH: '' })).toEqual(['TEMPORAL_TLS_CLIENT_CERT_PATH: is empty']);
  });

  test('a certificate without its key, a key without its certificate, a key of another certificate', () => {
    const { TEMPORAL_TLS_CLIENT_KEY_PATH: _key, ...certOnly } = mtls();
    const { TEMPORAL_TLS_CLIENT_CERT_PATH: _cert, ...keyOnly } = mtls();
    expect(problems(certOnly)).toEqual(['TEMPORAL_TLS_CLIENT_CERT_PATH: a client certificate needs its key (TEMPORAL_TLS_CLIENT_KEY_PATH)']);
    expect(problems(keyOnly)).toEqual(['TEMPORAL_TLS_CLIENT_KEY_PATH: a client key needs its certificate (TEMPORAL_TLS_CLIENT_CERT_PATH)']);
    expect(problems({ ...mtls(), TEMPORAL_TLS_CLIENT_KEY_PATH: certs.rogue!.key })).toEqual([
      'TEMPORAL_TLS_CLIENT_KEY_PATH: the key does not belong to the client certificate in TEMPORAL_TLS_CLIENT_CERT_PATH',
    ]);
  });

  test('an expired certificate, before the server says so', () => {
    const later = new Date(Date.now() + 10 * 24 * 3600 * 1000);
    const found = problems(mtls(), later);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^TEMPORAL_TLS_CLIENT_CERT_PATH: the certificate expired on \d{4}-\d\d-\d\dT/);
    expect(found[1]).toMatch(/^TEMPORAL_TLS_SERVER_CA_CERT_PATH: the certificate expired on /);
  });

  test('both a path and inline data for one file', () => {
    expect(problems({ ...mtls(), TEMPORAL_TLS_CLIENT_CERT_DATA: readFileSync(certs.workerCert, 'utf8') })).toEqual([
      'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_CERT_DATA (or tls.client_cert_path and _data): give one, not both',
    ]);
  });

  test('host verification cannot be switched off in this SDK', () => {
    expect(problems({ ...mtls(), TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })).toEqual([
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: not supported by this worker; set TEMPORAL_TLS_SERVER_NAME to a name in the server certificate instead',
    ]);
  });

  test('no problem ever repeats an API key or key material', () => {
    const key = readFileSync(certs.workerKey, 'utf8');
    const found = problems({ TEMPORAL_API_KEY: 'secret-api-key-value', TEMPORAL_TLS_CLIENT_KEY_DATA: key, TEMPORAL_TLS_CLIENT_CERT_PATH: '/no-such-dir/client.pem' });
    expect(found).toEqual(['TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read /no-such-dir/client.pem: ENOENT']);
    expect(found.join('\n')).not.toContain('secret-api-key-value');
    for (const line of key.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(found.join('\n')).not.toContain(line);
  });

  test('the worker configuration lists connection problems with the others', () => {
    let listed: string[] = [];
    try {
      loadConfig({ ZEGO_APP_ID: '1', ZEGO_SERVER_SECRET: 's', TEMPORAL_TLS_CLIENT_KEY_PATH: certs.workerKey, TAKEDOWN_RATE_HEADROOM: '2' });
    } catch (err) {
      if (err instanceof ConfigError) listed = err.problems;
    }
    expect(listed).toEqual(['TEMPORAL_TLS_CLIENT_KEY_PATH: a client key needs its certificate (TEMPORAL_TLS_CLIENT_CERT_PATH)', 'TAKEDOWN_RATE_HEADROOM: must be at most 0.95']);
    const config = loadConfig({ ZEGO_APP_ID: '1', ZEGO_SERVER_SECRET: 's', ...mtls() });
    expect(config.temporal).toEqual({ address: 'temporal.example.com:7233', namespace: 'default' });
    expect(config.temporalConnection.auth).toBe('mtls');
  });
});

describe('the TOML config file and profiles (as the Temporal CLI reads them)', () => {
  const profileFile = (): string =>
    toml(
      [
        '[profile.default]',
        'address = "default.example.com:7233"',
        '[profile.cloud]',
        'address = "moderation.a1b2c.tmprl.cloud:7233"',
        'namespace = "moderation.a1b2c"',
        '[profile.cloud.tls]',
        `client_cert_path = "${certs.workerCert}"`,
        `client_key_path = "${certs.workerKey}"`,
        '[profile.broken.tls]',
        'client_cert_path = "/nonexistent/client.pem"',
        'client_key_path = "/nonexistent/client.key"',
        '',
      ].join('\n'),
    );

  test('TEMPORAL_CONFIG_FILE with its default profile, then TEMPORAL_PROFILE', () => {
    const file = profileFile();
    expect(loadTemporalConnection({ TEMPORAL_CONFIG_FILE: file }).address).toBe('default.example.com:7233');
    const cloud = loadTemporalConnection({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
    expect(cloud).toMatchObject({ address: 'moderation.a1b2c.tmprl.cloud:7233', namespace: 'moderation.a1b2c', auth: 'mtls' });
    expect(cloud.summary).toMatch(/, profile cloud$/);
  });

  test('the per-user default file ($XDG_CONFIG_HOME/temporalio/temporal.toml)', () => {
    const home = mkdtempSync(path.join(dir, 'xdg-'));
    const file = path.join(home, 'temporalio', 'temporal.toml');
    mkdirSync(path.dirname(file));
    writeFileSync(file, '[profile.default]\nnamespace = "from-user-file"\n');
    expect(loadTemporalConnection({ XDG_CONFIG_HOME: home }).namespace).toBe('from-user-file');
  });

  test('variables override the profile, an empty TEMPORAL_API_KEY included', () => {
    const file = toml('[profile.default]\naddress = "file.example.com:7233"\napi_key = "key-from-file"\n');
    const s = loadTemporalConnection({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_ADDRESS: 'env.example.com:7233', TEMPORAL_API_KEY: '' });
    expect(s.address).toBe('env.example.com:7233');
    expect(s.connectionOptions.apiKey).toBeUndefined();
    expect(s.auth).toBe('plaintext');
  });

  test('problems in the file name the file, the profile and the key', () => {
    const file = profileFile();
    expect(problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'broken' })).toEqual([
      `${file} [profile.broken] tls.client_cert_path: cannot read /nonexistent/client.pem: ENOENT`,
      `${file} [profile.broken] tls.client_key_path: cannot read /nonexistent/client.key: ENOENT`,
    ]);
    expect(problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toEqual([`TEMPORAL_PROFILE: no profile "staging" in ${file}`]);
    expect(problems({ TEMPORAL_CONFIG_FILE: toml('[profile.default]\naddress = "no-port"\n') })[0]).toMatch(/\[profile\.default\] address: must be host:port$/);
    expect(problems({ TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' })).toEqual(['TEMPORAL_CONFIG_FILE: cannot read /nonexistent/temporal.toml: ENOENT']);
    const bad = toml('[profile.default\naddress = 1\n');
    const found = problems({ TEMPORAL_CONFIG_FILE: bad });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
  });
});

describe('the dev stack worker environment', () => {
  test('drops the caller’s Temporal settings and connects in plaintext to the local server', () => {
    const env = devServerEnv('127.0.0.1:7233', { PATH: '/bin', TEMPORAL_API_KEY: 'k', TEMPORAL_PROFILE: 'cloud', TEMPORAL_TLS_CLIENT_CERT_PATH: '/x', TEMPORAL_GRPC_META_A: 'b', ZEGO_APP_ID: '1' });
    expect(env).toEqual({ PATH: '/bin', ZEGO_APP_ID: '1', TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_NAMESPACE: 'default', TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: '' });
    expect(loadTemporalConnection(env)).toMatchObject({ auth: 'plaintext', connectionOptions: { address: '127.0.0.1:7233', tls: false } });
  });
});

describe('explaining a failed connection', () => {
  const mtlsSettings = (): TemporalConnectionSettings => loadTemporalConnection({ ...mtls(), TEMPORAL_TLS_SERVER_NAME: 'localhost' });
  const plain = (): TemporalConnectionSettings => loadTemporalConnection({ TEMPORAL_ADDRESS: '127.0.0.1:7233' });

  // Messages as the Rust core (NativeConnection) and the client reported them against the cluster suite's server.
  test.each([
    ['nothing listening', plain, 'tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", 127.0.0.1:17299, Os { code: 111, kind: ConnectionRefused, message: "Connection refused" })))', CONNECT_FAILURE.unreachable],
    ['TLS to a plaintext port', mtlsSettings, 'tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, error: InvalidMessage(InvalidContentType) }))', CONNECT_FAILURE.tlsNotSpoken],
    ['no CA for the server certificate', mtlsSettings, 'tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) }))', CONNECT_FAILURE.tlsUntrustedServer],
    ['a client certificate from another CA', mtlsSettings, 'Failed to call GetSystemInfo: code: \'Unknown error\', message: "transport error", source: tonic::transport::Error(Transport, hyper::Error(Io, Custom { kind: InvalidData, error: "received fatal alert: UnknownCA" }))', CONNECT_FAILURE.tlsClientCertRejected],
    ['a hang-up after the handshake', mtlsSettings, 'Failed to call GetSystemInfo: code: \'Unknown error\', message: "transport error", source: tonic::transport::Error(Transport, hyper::Error(Io, Custom { kind: BrokenPipe, error: "stream closed because of a broken pipe" }))', CONNECT_FAILURE.tlsClientCertRejected],
    ['a namespace the server does not have', mtlsSettings, '5 NOT_FOUND: Namespace nope is not found.', CONNECT_FAILURE.namespaceNotFound],
    ['an API key refused', () => loadTemporalConnection({ TEMPORAL_API_KEY: 'k-123456' }), '16 UNAUTHENTICATED: Request unauthorized.', CONNECT_FAILURE.credentialsRefused],
  ])('%s', (_label, settings, message, code) => {
    const err = explainConnectFailure(new Error(message), settings());
    expect(err.code).toBe(code);
    expect(err.message).toMatch(/^cannot use Temporal at [^\n]+$/);
  });

  test('the unknown is repeated on one line, without the API key', () => {
    const settings = loadTemporalConnection({ TEMPORAL_API_KEY: 'secret-api-key-value' });
    const err = explainConnectFailure(new Error('odd failure\n  with secret-api-key-value inside'), settings);
    expect(err.code).toBe(CONNECT_FAILURE.unknown);
    expect(err.message).toBe('cannot use Temporal at localhost:7233, namespace default, API key over TLS (system CAs): odd failure with [redacted] inside');
    expect(recognizeConnectFailure(new Error('webpack: module not found'), settings)).toBeUndefined();
  });
});
