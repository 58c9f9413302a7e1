/**
 * Finds or builds what the cluster suite runs: the Temporal server and its SQL schema tool, built
 * with `go install` from the Go module `go.temporal.io/server` at the pinned release into
 * `.tools/temporal-server/<version>/bin` (the Go module proxy is reachable where GitHub release
 * downloads are not), and the PostgreSQL server binaries of the pinned major version.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { POSTGRES_MAJOR, TEMPORAL_SERVER_VERSION } from './cluster-versions';
import { TOOLS_DIR, isExecutable } from './temporal-cli';

export interface ClusterTools {
  /** `temporal-server` (the module's `cmd/server`). */
  server: string;
  /** `temporal-sql-tool` (the module's `cmd/tools/sql`). */
  sqlTool: string;
  /** Directory holding `initdb`, `postgres`, `pg_isready`. */
  postgresBin: string;
  /** Whether this call built the server (a first run) or found it in `.tools/`. */
  built: boolean;
}

export class ClusterToolsUnavailableError extends Error {
  override readonly name = 'ClusterToolsUnavailableError';
  readonly code = 'CLUSTER_TOOLS_UNAVAILABLE';
}

const MODULE = 'go.temporal.io/server';
/** Package paths inside the module at that release (checked against its source tree). */
const PACKAGES = { server: `${MODULE}/cmd/server`, sqlTool: `${MODULE}/cmd/tools/sql` } as const;

export const SERVER_BIN_DIR = path.join(TOOLS_DIR, 'temporal-server', TEMPORAL_SERVER_VERSION, 'bin');


function versionOf(binary: string): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

/** `go install` names each binary after its package directory. */
const built = { server: path.join(SERVER_BIN_DIR, 'server'), sqlTool: path.join(SERVER_BIN_DIR, 'sql') };

function buildServer(log: (line: string) => void): void {
  log(`building Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool with go install into ${SERVER_BIN_DIR} (a few minutes, once)`);
  mkdirSync(SERVER_BIN_DIR, { recursive: true });
  // nice: the build shares the machine's cores with everything else running on it.
  const result = spawnSync(
    'nice',
    ['-n', '10', 'go', 'install', `${PACKAGES.server}@v${TEMPORAL_SERVER_VERSION}`, `${PACKAGES.sqlTool}@v${TEMPORAL_SERVER_VERSION}`],
    { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, GOBIN: SERVER_BIN_DIR, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto', GOFLAGS: '-buildvcs=false' } },
  );
  if (result.status !== 0) {
    const detail = result.error?.message ?? (result.stderr?.toString().trim().split('\n').slice(-3).join(' ') || `exit ${result.status}`);
    throw new ClusterToolsUnavailableError(`cannot build ${MODULE}@v${TEMPORAL_SERVER_VERSION} with go install: ${detail}`);
  }
}

/** The PostgreSQL binaries: `TAKEDOWN_POSTGRES_BIN`, else Debian's layout for the pinned major. */
function findPostgres(): string {
  const dir = process.env.TAKEDOWN_POSTGRES_BIN ?? `/usr/lib/postgresql/${POSTGRES_MAJOR}/bin`;
  for (const tool of ['initdb', 'postgres', 'pg_isready']) {
    if (!isExecutable(path.join(dir, tool))) {
      throw new ClusterToolsUnavailableError(
        `PostgreSQL ${POSTGRES_MAJOR} not found: ${path.join(dir, tool)} is missing (apt-get install postgresql-${POSTGRES_MAJOR}, or set TAKEDOWN_POSTGRES_BIN)`,
      );
    }
  }
  const version = versionOf(path.join(dir, 'postgres'));
  if (!new RegExp(`\\(PostgreSQL\\) ${POSTGRES_MAJOR}\\.`).test(version)) {
    throw new ClusterToolsUnavailableError(`${dir}/postgres is "${version}", not PostgreSQL ${POSTGRES_MAJOR}`);
  }
  return dir;
}

/** Finds the tools, building the server once when `.tools/` does not have it; throws when it cannot. */
export function provisionClusterTools(log: (line: string) => void = () => {}): ClusterTools {
  const postgresBin = findPostgres();
  let didBuild = false;
  if (!isExecutable(built.server) || !isExecutable(built.sqlTool)) {
    buildServer(log);
    didBuild = true;
  }
  for (const binary of [built.server, built.sqlTool]) {
    const version = versionOf(binary);
    if (!version.endsWith(` ${TEMPORAL_SERVER_VERSION}`) && !version.includes(`version ${TEMPORAL_SERVER_VERSION}`)) {
      throw new ClusterToolsUnavailableError(`${binary} reports "${version}", not ${TEMPORAL_SERVER_VERSION}; delete ${SERVER_BIN_DIR} to rebuild`);
    }
  }
  return { server: built.server, sqlTool: built.sqlTool, postgresBin, built: didBuild };
}
