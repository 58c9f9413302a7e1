/**
 * The one place that names what the cluster suite (`npm run test:cluster`) runs, so that
 * docker-compose.yml can be checked against it: the Temporal server release, its PostgreSQL
 * major version, the server settings both use, and the images that carry the same versions.
 */
import path from 'node:path';

/** Temporal server release, built from the Go module `go.temporal.io/server` at this tag. */
export const TEMPORAL_SERVER_VERSION = '1.32.0';

/** PostgreSQL major version: Debian's `postgresql-15` for the suite (any 15.x), the `postgres` image in compose. */
export const POSTGRES_MAJOR = 15;
/** The PostgreSQL release the suite last ran on (Debian 15.18-0+deb12u1); compose pins its image to it. */
export const POSTGRES_VERSION = '15.18';

/** Images docker-compose.yml must use: the same releases the cluster suite ran. */
export const CLUSTER_IMAGES = {
  server: `temporalio/server:${TEMPORAL_SERVER_VERSION}`,
  /** Carries `temporal-sql-tool` and the `temporal` CLI of the same server release. */
  adminTools: `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`,
  postgres: `postgres:${POSTGRES_VERSION}-bookworm`,
} as const;

/** The server's SQL plugin and its embedded schemas (`temporal-sql-tool --schema-name`). */
export const POSTGRES_SCHEMA = {
  plugin: 'postgres12',
  databases: [
    { database: 'temporal', schema: 'postgresql/v12/temporal' },
    { database: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
  ],
} as const;

/**
 * Server settings that do not depend on where it runs, as variables of the server's embedded
 * config template (`common/config/config_template_embedded.yaml` in the module). Compose sets
 * the same values.
 */
export const SERVER_SETTINGS = {
  DB: POSTGRES_SCHEMA.plugin,
  DBNAME: POSTGRES_SCHEMA.databases[0].database,
  VISIBILITY_DBNAME: POSTGRES_SCHEMA.databases[1].database,
  NUM_HISTORY_SHARDS: '4',
  // mTLS on the frontend (clients) and between the server's own services.
  TEMPORAL_TLS_REQUIRE_CLIENT_AUTH: 'true',
  // The name the server's own services expect in its certificates (also a SAN of the server cert).
  TEMPORAL_TLS_FRONTEND_SERVER_NAME: 'temporal',
  TEMPORAL_TLS_INTERNODE_SERVER_NAME: 'temporal',
  // The server would otherwise call home to check for new releases.
  TEMPORAL_VERSION_CHECK_DISABLED: '1',
  // No authorizer: mTLS alone decides who may connect (any certificate the CA signed may do anything).
  TEMPORAL_ALLOW_NO_AUTH: 'true',
} as const;

/** The namespace the worker polls, created by the suite and by compose's init job. */
export const NAMESPACE = { name: 'default', retentionHours: 72 } as const;

/** Certificate files the server reads, by template variable, named by their file in the certs directory. */
export const SERVER_TLS_FILES = {
  TEMPORAL_TLS_SERVER_CA_CERT: 'ca.pem',
  TEMPORAL_TLS_SERVER_CERT: 'server.pem',
  TEMPORAL_TLS_SERVER_KEY: 'server.key',
  TEMPORAL_TLS_FRONTEND_CERT: 'server.pem',
  TEMPORAL_TLS_FRONTEND_KEY: 'server.key',
  TEMPORAL_TLS_CLIENT1_CA_CERT: 'ca.pem',
  // The template always lists a second client CA; an empty entry would be read as a file name.
  TEMPORAL_TLS_CLIENT2_CA_CERT: 'ca.pem',
} as const;

/** Certificate files the worker reads, by `TEMPORAL_TLS_*` variable. */
export const WORKER_TLS_FILES = {
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'ca.pem',
  TEMPORAL_TLS_CLIENT_CERT_PATH: 'worker.pem',
  TEMPORAL_TLS_CLIENT_KEY_PATH: 'worker.key',
} as const;

/** The server's dynamic config, shared by the cluster suite and compose. */
export const DYNAMIC_CONFIG_FILE = path.resolve(__dirname, '..', '..', 'scripts', 'cluster', 'dynamicconfig.yaml');
