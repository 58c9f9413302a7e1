/**
 * Opens the connections every process uses (a client `Connection`, a worker `NativeConnection`)
 * from {@link TemporalConnectionSettings}, and turns a failure into one line that says whether the
 * address, TLS, the credentials or the namespace is wrong. The SDK's own errors span several
 * lines, differ between the gRPC-js client and the Rust core, and are repeated here only as a
 * last resort, scrubbed of any secret.
 */
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConnectionSettings } from './settings';

export const CONNECT_FAILURE = {
  unreachable: 'TEMPORAL_UNREACHABLE',
  tlsUntrustedServer: 'TEMPORAL_TLS_UNTRUSTED_SERVER',
  tlsServerName: 'TEMPORAL_TLS_SERVER_NAME',
  tlsClientCertRejected: 'TEMPORAL_TLS_CLIENT_CERT_REJECTED',
  tlsNotSpoken: 'TEMPORAL_TLS_NOT_SPOKEN',
  tlsRequired: 'TEMPORAL_TLS_REQUIRED',
  credentialsRefused: 'TEMPORAL_CREDENTIALS_REFUSED',
  namespaceNotFound: 'TEMPORAL_NAMESPACE_NOT_FOUND',
  unknown: 'TEMPORAL_CONNECT_FAILED',
} as const;
export type ConnectFailureCode = (typeof CONNECT_FAILURE)[keyof typeof CONNECT_FAILURE];

export class TemporalConnectError extends Error {
  override readonly name = 'TemporalConnectError';
  constructor(
    readonly code: ConnectFailureCode,
    message: string,
  ) {
    super(message);
  }
}

interface FailureRule {
  code: ConnectFailureCode;
  /** Tested against the error's message and its causes' messages, joined. */
  match: RegExp;
  /** Applies only when TLS is on (true) or off (false); any when absent. */
  tls?: boolean;
  reason: (s: TemporalConnectionSettings) => string;
}

const hasClientCert = (s: TemporalConnectionSettings): boolean => Boolean(s.connectionOptions.tls && typeof s.connectionOptions.tls === 'object' && s.connectionOptions.tls.clientCertPair);

/**
 * First match wins, so the specific TLS answers come before the generic transport ones. Patterns
 * cover both stacks: rustls/tonic (NativeConnection) and OpenSSL/grpc-js (Connection).
 */
const FAILURE_RULES: FailureRule[] = [
  {
    code: CONNECT_FAILURE.namespaceNotFound,
    match: /namespace\b.*\bnot found|NamespaceNotFound/i,
    reason: (s) => `namespace "${s.namespace}" does not exist on this server (TEMPORAL_NAMESPACE)`,
  },
  {
    code: CONNECT_FAILURE.tlsServerName,
    match: /NotValidForName|not valid for name|does not match certificate's altnames|Hostname\/IP does not match/i,
    tls: true,
    reason: () => "the server's certificate does not name this host; set TEMPORAL_TLS_SERVER_NAME to a name it holds",
  },
  {
    code: CONNECT_FAILURE.tlsUntrustedServer,
    match: /UnknownIssuer|unable to get (local )?issuer|self[- ]signed certificate|certificate verify failed|unable to verify the first certificate|invalid peer certificate/i,
    tls: true,
    reason: (s) =>
      s.serverCaSource
        ? `the server's certificate is not signed by the CA in ${s.serverCaSource}`
        : "the server's certificate is not signed by a CA this machine trusts; set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it",
  },
  {
    code: CONNECT_FAILURE.tlsClientCertRejected,
    match: /CertificateRequired|certificate required|BadCertificate|bad certificate|UnknownCA|unknown ca|DecryptError|handshake failure|AccessDenied|HandshakeFailure|certificate unknown|CertificateUnknown/i,
    tls: true,
    reason: (s) =>
      hasClientCert(s)
        ? `the server rejected the client certificate ${s.clientCertSource ? `in ${s.clientCertSource} ` : ''}(not signed by a CA it accepts)`
        : 'the server requires a client certificate; set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH',
  },
  {
    code: CONNECT_FAILURE.tlsNotSpoken,
    match: /wrong version number|InvalidContentType|CorruptMessage|packet length too long|invalid (record|message)|received corrupt message|http\/1\.x/i,
    tls: true,
    reason: () => 'the server there does not speak TLS; set TEMPORAL_TLS=false or use its TLS port',
  },
  {
    code: CONNECT_FAILURE.tlsClientCertRejected,
    // TLS 1.3: the client's handshake is done before the server checks its certificate, so a
    // rejection often shows only as the server hanging up on the first call.
    match: /broken pipe|BrokenPipe|connection reset|ECONNRESET|connection closed|operation was cancel+ed/i,
    tls: true,
    reason: (s) =>
      hasClientCert(s)
        ? `the server hung up after the TLS handshake: it did not accept the client certificate ${s.clientCertSource ? `in ${s.clientCertSource} ` : ''}(is it signed by a CA the server trusts?)`
        : 'the server hung up after the TLS handshake: it probably requires a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH)',
  },
  {
    code: CONNECT_FAILURE.credentialsRefused,
    match: /UNAUTHENTICATED|PERMISSION_DENIED|Unauthenticated|PermissionDenied|Request unauthorized|unauthori[sz]ed|invalid (api )?key|api key/i,
    reason: (s) =>
      s.connectionOptions.apiKey !== undefined
        ? `the server refused the API key for namespace "${s.namespace}" (TEMPORAL_API_KEY)`
        : `the server refused the request for namespace "${s.namespace}": it needs credentials (TEMPORAL_API_KEY or a client certificate)`,
  },
  {
    code: CONNECT_FAILURE.tlsRequired,
    // A plaintext HTTP/2 preface sent to a TLS listener: the server hangs up without a word.
    match: /connection reset|ECONNRESET|h2 protocol error|frame with invalid size|Protocol error|socket hang up|Connection closed|broken pipe|transport error.*(closed|reset)|received HTTP\/0\.9|stream closed/i,
    tls: false,
    reason: () => 'the server closed the plaintext connection; it probably expects TLS (TEMPORAL_TLS=true, or the CA and client certificate variables)',
  },
  {
    code: CONNECT_FAILURE.unreachable,
    match: /ENOTFOUND|EAI_AGAIN|dns error|failed to lookup|Name or service not known/i,
    reason: (s) => `the host name ${s.address.replace(/:\d+$/, '')} does not resolve; check TEMPORAL_ADDRESS`,
  },
  {
    code: CONNECT_FAILURE.unreachable,
    match: /ECONNREFUSED|Connection refused|No route to host|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|deadline|timed out|Timeout expired|No connection established|UNAVAILABLE/i,
    reason: () => 'nothing answered there; check TEMPORAL_ADDRESS and that the server is up',
  },
];

function messagesOf(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { message?: unknown; details?: unknown; cause?: unknown };
    parts.push(String(e.message ?? current));
    if (typeof e.details === 'string') parts.push(e.details);
    current = e.cause;
  }
  return parts.join(' | ');
}

/** The error's text on one line with every secret of the settings cut out. */
export function scrub(text: string, settings: TemporalConnectionSettings): string {
  const secrets = [settings.connectionOptions.apiKey, ...Object.values(settings.connectionOptions.metadata ?? {})].filter((s): s is string => Boolean(s && s.length >= 4));
  let out = text.replace(/\s*\n\s*/g, ' ');
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

function matchRule(err: unknown, settings: TemporalConnectionSettings): FailureRule | undefined {
  const text = messagesOf(err);
  const tlsOn = Boolean(settings.connectionOptions.tls);
  return FAILURE_RULES.find((r) => (r.tls === undefined || r.tls === tlsOn) && r.match.test(text));
}

const failure = (settings: TemporalConnectionSettings, code: ConnectFailureCode, reason: string): TemporalConnectError =>
  new TemporalConnectError(code, `cannot use Temporal at ${settings.summary}: ${reason}`);

/** Maps any connection or first-call failure to a one-line {@link TemporalConnectError}. */
export function explainConnectFailure(err: unknown, settings: TemporalConnectionSettings): TemporalConnectError {
  if (err instanceof TemporalConnectError) return err;
  const rule = matchRule(err, settings);
  return rule ? failure(settings, rule.code, rule.reason(settings)) : failure(settings, CONNECT_FAILURE.unknown, scrub(messagesOf(err), settings));
}

/** Like {@link explainConnectFailure}, but only for errors that are recognisably about the connection. */
export function recognizeConnectFailure(err: unknown, settings: TemporalConnectionSettings): TemporalConnectError | undefined {
  if (err instanceof TemporalConnectError) return err;
  const rule = matchRule(err, settings);
  return rule && failure(settings, rule.code, rule.reason(settings));
}

/**
 * A client connection whose namespace has been checked to exist (unless `checkNamespace: false`,
 * for tools that create it), so a wrong namespace stops the caller here rather than at its first
 * workflow call.
 */
export async function connectClient(settings: TemporalConnectionSettings, options: { checkNamespace?: boolean } = {}): Promise<Connection> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect(settings.connectionOptions);
    if (options.checkNamespace ?? true) await connection.workflowService.describeNamespace({ namespace: settings.namespace });
    else await connection.workflowService.getSystemInfo({});
    return connection;
  } catch (err) {
    await connection?.close().catch(() => undefined);
    const explained = explainConnectFailure(err, settings);
    throw GENERIC.has(explained.code) ? ((await diagnose(settings)) ?? explained) : explained;
  }
}

/** gRPC-js says only "Failed to connect before the deadline", whatever went wrong. */
const GENERIC = new Set<ConnectFailureCode>([CONNECT_FAILURE.unreachable, CONNECT_FAILURE.unknown]);

/** Asks the Rust core, whose transport errors name the cause (refused, TLS alert, bad issuer). */
async function diagnose(settings: TemporalConnectionSettings): Promise<TemporalConnectError | undefined> {
  try {
    const probe = await NativeConnection.connect(settings.connectionOptions);
    await probe.close();
    return undefined;
  } catch (err) {
    return recognizeConnectFailure(err, settings);
  }
}

/** A worker connection (the Rust core's). */
export async function connectNative(settings: TemporalConnectionSettings): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(settings.connectionOptions);
  } catch (err) {
    throw explainConnectFailure(err, settings);
  }
}
