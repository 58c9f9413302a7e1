/**
 * Makes the CA and certificates docker-compose.yml mounts (the same set the cluster suite makes
 * per run, without its untrusted test CA):
 *
 *   npx tsx scripts/cluster/make-certs.ts [dir] [--days N]     # default .data/certs, 365 days
 *
 * The CA's private key is not kept: to rotate, make a new set and restart the stack. The images
 * run as uid 1000, so give that user read access to the files (e.g. `chown -R 1000 <dir>`).
 */
import path from 'node:path';
import { makeClusterCerts } from '../../src/devstack/cluster-certs';

const args = process.argv.slice(2);
const daysAt = args.indexOf('--days');
const days = daysAt >= 0 ? Number(args[daysAt + 1]) : 365;
const dir = path.resolve(args.find((a, i) => !a.startsWith('--') && i !== daysAt + 1) ?? path.join(__dirname, '..', '..', '.data', 'certs'));
if (!Number.isInteger(days) || days < 1) {
  console.error('--days: must be a whole number of days, at least 1');
  process.exit(2);
}
const certs = makeClusterCerts(dir, { days, rogue: false });
console.log(`certificates for docker-compose.yml in ${certs.dir} (valid ${days} days): ca.pem, server.pem/.key, worker.pem/.key, ui.pem/.key, admin.pem/.key`);
