/**
 * Certificates for a Temporal cluster with mTLS, made with the `openssl` command: one CA that
 * signs the server certificate (frontend and the server's own services, which also present it as
 * their client certificate) and the worker's client certificate; and, for the suite's negative
 * cases, a second CA nobody trusts with a client certificate of its own. EC P-256 keys, valid a
 * few days: they are made per run (or once for docker-compose.yml, with a longer validity).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ClusterCerts {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  workerCert: string;
  workerKey: string;
  /** Signed by {@link ClusterCerts.rogueCa}, which the server does not trust. */
  rogueCert: string;
  rogueKey: string;
  rogueCa: string;
}

export interface CertOptions {
  /** Names the server certificate holds besides localhost and 127.0.0.1 (compose: its service name). */
  serverNames?: string[];
  /** @default 3 */
  days?: number;
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
  const rogueCa = makeCa(dir, 'rogue-ca', '/CN=untrusted CA', days);
  const rogue = makeLeaf(dir, 'rogue', '/CN=takedown-worker', rogueCa, clientExtensions, days);
  return {
    dir,
    ca: ca.cert,
    serverCert: server.cert,
    serverKey: server.key,
    workerCert: worker.cert,
    workerKey: worker.key,
    rogueCert: rogue.cert,
    rogueKey: rogue.key,
    rogueCa: rogueCa.cert,
  };
}
