/**
 * Certificates for a Temporal cluster with mTLS, made with the `openssl` command: one CA that
 * signs the server certificate (frontend and the server's own services, which also present it as
 * their client certificate) and one client certificate each for the worker, the Web UI and the
 * admin job; and, for the suite's negative cases, a second CA nobody trusts with a client
 * certificate of its own. EC P-256 keys. The suite makes them per run, valid a few days;
 * `scripts/cluster/make-certs.ts` makes them once for docker-compose.yml.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ClusterCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  workerCert: string;
  workerKey: string;
  /** Client certificates of the Web UI and of compose's admin job (namespace, search attributes). */
  clients: Record<'ui' | 'admin', { cert: string; key: string }>;
  /** Signed by a CA the server does not trust (negative tests); absent with `rogue: false`. */
  rogue?: { cert: string; key: string; ca: string };
}

export interface CertOptions {
  /** Names the server certificate holds besides localhost and 127.0.0.1 (compose: its service name). */
  serverNames?: string[];
  /** @default 3 */
  days?: number;
  /** Also make the untrusted CA and its client certificate. @default true */
  rogue?: boolean;
}

/** Names always in the server certificate: compose's service name and the local loopback. */
export const SERVER_CERT_NAMES = ['temporal', 'localhost'] as const;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string, subject: string, days: number): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', String(days), '-subj', subject,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { cert, key };
}

function makeLeaf(
  dir: string,
  name: string,
  subject: string,
  ca: { cert: string; key: string },
  extensions: string[],
  days: number,
): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, `${extensions.join('\n')}\n`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', subject]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', String(days), '-extfile', ext]);
  return { cert, key };
}

/** Writes a CA, server, worker and rogue certificates into `dir` (created if missing). */
export function makeClusterCerts(dir: string, options: CertOptions = {}): ClusterCerts {
  const days = options.days ?? 3;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const names = [...new Set([...SERVER_CERT_NAMES, ...(options.serverNames ?? [])])];
  const ca = makeCa(dir, 'ca', '/CN=takedown cluster CA', days);
  const server = makeLeaf(dir, 'server', '/CN=temporal', ca, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    // clientAuth too: the server's own services present this certificate to each other and to the frontend.
    'extendedKeyUsage=serverAuth,clientAuth',
    `subjectAltName=${[...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1'].join(',')}`,
  ], days);
  const clientExtensions = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'];
  const worker = makeLeaf(dir, 'worker', '/CN=takedown-worker', ca, clientExtensions, days);
  const ui = makeLeaf(dir, 'ui', '/CN=temporal-ui', ca, clientExtensions, days);
  const admin = makeLeaf(dir, 'admin', '/CN=takedown-admin', ca, clientExtensions, days);
  let rogue: ClusterCerts['rogue'];
  if (options.rogue ?? true) {
    const rogueCa = makeCa(dir, 'rogue-ca', '/CN=untrusted CA', days);
    rogue = { ...makeLeaf(dir, 'rogue', '/CN=takedown-worker', rogueCa, clientExtensions, days), ca: rogueCa.cert };
  }
  // Only what a service reads stays: requests, extension files and the CAs' keys go.
  for (const file of readdirSync(dir)) {
    if (/\.(csr|ext|srl)$/.test(file) || /^(ca|rogue-ca)\.key$/.test(file)) rmSync(path.join(dir, file));
  }
  return {
    dir,
    ca: ca.cert,
    serverCert: server.cert,
    serverKey: server.key,
    workerCert: worker.cert,
    workerKey: worker.key,
    clients: { ui, admin },
    ...(rogue ? { rogue } : {}),
  };
}
