/**
 * Checks the self-hosting files (docker-compose.yml, Dockerfile, .dockerignore) without a Docker
 * engine: the compose file is parsed, its `${...}` references are resolved the way Compose
 * resolves them, and the wiring between services is checked on the resolved values.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SearchAttributeType } from '@temporalio/common';
import { parse } from 'yaml';
import { isTemporalConnectionVariable, loadTemporalConnection } from '../../src/connection';
import { SERVER_CERT_NAMES, makeClusterCerts, type ClusterCerts } from '../../src/devstack/cluster-certs';
import type { PostgresServer } from '../../src/devstack/cluster-postgres';
import { clusterServerEnv, clusterWorkerEnv } from '../../src/devstack/cluster-server';
import {
  CLUSTER_IMAGES,
  DYNAMIC_CONFIG_FILE,
  NAMESPACE,
  POSTGRES_MAJOR,
  POSTGRES_SCHEMA,
  POSTGRES_VERSION,
  SERVER_SETTINGS,
  SERVER_TLS_FILES,
  TEMPORAL_SERVER_VERSION,
  WORKER_TLS_FILES,
} from '../../src/devstack/cluster-versions';
import { ConfigError, loadConfig } from '../../src/takedown-worker/config';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

// ---------------------------------------------------------------------------------------------
// Compose model and helpers
// ---------------------------------------------------------------------------------------------

type Scalar = string | number | boolean | null;
type PortSpec = string | number | { target: number | string; published?: number | string; host_ip?: string };
type DependsOn = string[] | Record<string, { condition?: string }>;

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, Scalar> | string[];
  ports?: PortSpec[];
  depends_on?: DependsOn;
  healthcheck?: { test?: string | string[] };
  entrypoint?: string | string[];
  command?: string | string[];
  restart?: string;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

type HostEnv = Record<string, string | undefined>;

class MissingRequiredVariable extends Error {
  override readonly name = 'MissingRequiredVariable';
}

/**
 * Resolves Compose interpolation in one string: `$$` (a literal `$`), `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`. Anything else is rejected, so a typo in
 * the file fails the test instead of being passed through.
 */
function interpolate(value: string, env: HostEnv): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$/g, (match, name, colon, op, arg) => {
    if (match === '$$') return '$';
    if (match === '$') throw new Error(`unescaped "$" in ${JSON.stringify(value)}: write $$ for a literal dollar`);
    const current = env[name as string];
    const missing = colon ? current === undefined || current === '' : current === undefined;
    if (op === '?') {
      if (missing) throw new MissingRequiredVariable(`${name as string}: ${arg as string}`);
      return current as string;
    }
    if (op === '-') return missing ? (arg as string) : (current as string);
    return current ?? '';
  });
}

/** A service's environment as written (list or mapping form), values as strings or null. */
function rawEnv(service: Service): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    for (const entry of env) {
      const eq = entry.indexOf('=');
      if (eq === -1) out[entry] = null;
      else out[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else {
    for (const [key, value] of Object.entries(env)) out[key] = value === null ? null : String(value);
  }
  return out;
}

/** A service's environment as the container would see it, given the host environment. */
function resolvedEnv(service: Service, host: HostEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(rawEnv(service))) {
    // A bare name (no value) passes the host's variable through, or leaves it unset.
    out[key] = value === null ? host[key] : interpolate(value, host);
  }
  return out;
}

interface Port {
  published: number | undefined;
  target: number;
  hostIp: string | undefined;
}

function parsePorts(service: Service, host: HostEnv): Port[] {
  return (service.ports ?? []).map((spec): Port => {
    if (typeof spec === 'object') {
      return {
        target: Number(interpolate(String(spec.target), host)),
        published: spec.published === undefined ? undefined : Number(interpolate(String(spec.published), host)),
        hostIp: spec.host_ip,
      };
    }
    const parts = interpolate(String(spec), host).replace(/\/(tcp|udp)$/, '').split(':');
    const target = Number(parts.pop());
    const published = parts.length > 0 ? Number(parts.pop()) : undefined;
    const hostIp = parts.length > 0 ? parts.join(':') : undefined;
    return { target, published, hostIp };
  });
}

function dependsOn(service: Service): Record<string, string> {
  const deps = service.depends_on ?? [];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, spec]) => [name, spec.condition ?? 'service_started']));
}

function asText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join('\n') : (value ?? '');
}

/** Splits `repo[:tag][@digest]`; the tag is after the last colon that follows the last slash. */
function parseImage(ref: string): { repository: string; tag: string | undefined; digest: string | undefined } {
  const [nameAndTag = '', digest] = ref.split('@');
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  if (colon > slash) return { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
  return { repository: nameAndTag, tag: undefined, digest };
}

/** Every string scalar in a parsed YAML tree, with its path. */
function* strings(node: unknown, at = ''): Generator<[string, string]> {
  if (typeof node === 'string') yield [at, node];
  else if (Array.isArray(node)) for (const [i, item] of node.entries()) yield* strings(item, `${at}[${i}]`);
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) yield* strings(v, at ? `${at}.${k}` : k);
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const composeText = read('docker-compose.yml');
const compose = parse(composeText) as Compose;
const services = compose.services ?? {};
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};

/** Host environment a user would export: distinctive values so every wire can be traced. */
const HOST: HostEnv = {
  POSTGRES_USER: 'pg-user-from-host',
  POSTGRES_PASSWORD: 'pg-password-from-host',
  TEMPORAL_NAMESPACE: 'moderation-from-host',
  ZEGO_APP_ID: '1234567890',
  ZEGO_SERVER_SECRET: 'zego-secret-from-host',
  ZEGO_API_URL: 'https://zego.example.test',
  AGORA_CUSTOMER_ID: 'agora-id-from-host',
  AGORA_CUSTOMER_SECRET: 'agora-secret-from-host',
  AGORA_API_URL: 'https://agora.example.test',
  TEMPORAL_CODEC_ENDPOINT: 'https://codec.example.test',
};
/** The least a user must export. */
const MINIMAL_HOST: HostEnv = { POSTGRES_PASSWORD: 'only-this' };

const WORKER_PROVIDER_SECRETS = ['ZEGO_APP_ID', 'ZEGO_SERVER_SECRET', 'AGORA_CUSTOMER_ID', 'AGORA_CUSTOMER_SECRET'] as const;
/** The CLI's `--type` for each SDK search attribute type. */
const CLI_TYPES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};
const SEARCH_ATTRIBUTE_TYPES = SEARCH_ATTRIBUTES.map((key) => [key.name, CLI_TYPES[key.type]] as const);
const CORE_SERVICES = ['postgres', 'temporal-schema', 'temporal', 'temporal-init', 'temporal-ui', 'worker'] as const;
/** Where every service mounts the certificates (made by scripts/cluster/make-certs.ts). */
const CERTS = '/certs';

/** A service's mounts as `source:target[:mode]` strings, interpolated. */
function mounts(s: Service, host: HostEnv = MINIMAL_HOST): string[] {
  return (s.volumes ?? []).map((v) => interpolate(typeof v === 'string' ? v : `${v.source}:${v.target}`, host));
}

/** Certificates like the ones compose mounts, on this machine (so file checks can run). */
let localCerts: ClusterCerts;
beforeAll(() => {
  localCerts = makeClusterCerts(path.join(mkdtempSync(path.join(tmpdir(), 'takedown-compose-certs-')), 'certs'), { rogue: false });
});
afterAll(() => rmSync(path.dirname(localCerts.dir), { recursive: true, force: true }));
/** The container's `/certs/...` paths pointed at {@link localCerts}. */
const onThisMachine = (env: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => [k, v.startsWith(`${CERTS}/`) ? path.join(localCerts.dir, v.slice(CERTS.length + 1)) : v]),
  );

// ---------------------------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  test('defines the six services', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining([...CORE_SERVICES]));
  });

  test('every "$" is either a ${VAR} reference or escaped as $$ (Compose would eat a bare $name)', () => {
    const bare: string[] = [];
    for (const [at, value] of strings(compose)) {
      if (/\$(?![{$])/.test(value.replace(/\$\$/g, ''))) bare.push(at);
    }
    expect(bare).toEqual([]);
  });

  test('the whole file interpolates with only POSTGRES_PASSWORD set, and refuses to without it', () => {
    const all = (host: HostEnv): void => {
      for (const [, value] of strings(compose)) interpolate(value, host);
    };
    expect(() => all(MINIMAL_HOST)).not.toThrow();
    expect(() => all({})).toThrow(MissingRequiredVariable);
    expect(() => all({})).toThrow(/POSTGRES_PASSWORD/);
  });

  describe('images: the releases the cluster suite ran', () => {
    const images = Object.entries(services).filter(([, s]) => s.image !== undefined);

    test('every service has an image or a build', () => {
      const neither = Object.entries(services).filter(([, s]) => !s.image && !s.build).map(([name]) => name);
      expect(neither).toEqual([]);
    });

    test.each(images)('%s: image is pinned to a concrete tag, never latest or a variable', (_name, s) => {
      const ref = s.image as string;
      expect(ref).not.toMatch(/\$/);
      const { tag, digest } = parseImage(ref);
      expect(tag ?? digest).toBeDefined();
      expect(tag).not.toBe('latest');
      // A concrete version (x.y or x.y.z), not a floating major such as `16` or `1`.
      expect(tag).toMatch(/^v?\d+\.\d+(\.\d+)?([-.][\w.-]+)?$/);
    });

    test('the server, its tools and PostgreSQL are the versions in src/devstack/cluster-versions.ts', () => {
      expect(service('temporal').image).toBe(CLUSTER_IMAGES.server);
      expect(service('temporal-schema').image).toBe(CLUSTER_IMAGES.adminTools);
      expect(service('temporal-init').image).toBe(CLUSTER_IMAGES.adminTools);
      expect(service('postgres').image).toBe(CLUSTER_IMAGES.postgres);
      expect(CLUSTER_IMAGES.server).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
      expect(POSTGRES_VERSION.split('.')[0]).toBe(String(POSTGRES_MAJOR));
      expect(parseImage(service('temporal-ui').image ?? '').repository).toBe('temporalio/ui');
    });
  });

  describe('ports', () => {
    const published = (name: string, host: HostEnv = MINIMAL_HOST): Port[] => parsePorts(service(name), host);

    test.each([
      ['temporal', 7233],
      ['temporal-ui', 8080],
      ['worker', 9464],
    ])('%s publishes %i on the same host port', (name, port) => {
      expect(published(name)).toContainEqual(expect.objectContaining({ target: port, published: port }));
    });

    test('published ports bind to loopback unless the user opts in', () => {
      for (const name of ['temporal', 'temporal-ui', 'worker']) {
        for (const port of published(name)) expect(port.hostIp).toBe('127.0.0.1');
        for (const port of published(name, { ...MINIMAL_HOST, TAKEDOWN_PUBLISH_HOST: '0.0.0.0' })) {
          expect(port.hostIp).toBe('0.0.0.0');
        }
      }
    });

    test('postgres and the one-shot jobs are not published to the host', () => {
      for (const name of ['postgres', 'temporal-schema', 'temporal-init']) expect(service(name).ports ?? []).toEqual([]);
    });

    test('the worker metrics address listens on all interfaces at the published port', () => {
      const env = resolvedEnv(service('worker'), MINIMAL_HOST);
      expect(env.TAKEDOWN_METRICS_ADDRESS).toBe('0.0.0.0:9464');
      const port = Number(env.TAKEDOWN_METRICS_ADDRESS?.split(':').pop());
      expect(published('worker').map((p) => p.target)).toContain(port);
    });
  });

  describe('postgres', () => {
    test('takes its password from a required host variable', () => {
      const raw = rawEnv(service('postgres'));
      expect(raw.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/);
      expect(() => resolvedEnv(service('postgres'), {})).toThrow(/POSTGRES_PASSWORD/);
    });

    test('stores its data in a named volume', () => {
      const data = mounts(service('postgres')).find((m) => m.endsWith(':/var/lib/postgresql/data'));
      expect(data).toBeDefined();
      const source = (data as string).split(':')[0] as string;
      expect(source).not.toMatch(/^[./~]/); // a named volume, not a bind mount
      expect(Object.keys(compose.volumes ?? {})).toContain(source);
    });

    test('has a healthcheck', () => {
      expect(asText(service('postgres').healthcheck?.test)).toMatch(/pg_isready/);
    });
  });

  describe('temporal-schema', () => {
    const s = (): Service => service('temporal-schema');
    const script = (): string => interpolate(`${asText(s().entrypoint)}\n${asText(s().command)}`, MINIMAL_HOST);

    test.each(POSTGRES_SCHEMA.databases.map((d) => [d.database, d.schema]))('sets up %s with the embedded schema %s, as the suite does', (database, schema) => {
      const lines = script().split('\n').map((l) => l.trim());
      expect(lines).toEqual(expect.arrayContaining([
        `sql --db ${database} create-database`,
        `sql --db ${database} setup-schema -v 0.0`,
        `sql --db ${database} update-schema --schema-name ${schema}`,
      ]));
    });

    test('talks to the postgres service with the same credentials, the password through SQL_PASSWORD', () => {
      expect(script()).toMatch(new RegExp(`temporal-sql-tool --plugin ${POSTGRES_SCHEMA.plugin} --ep postgres -p 5432 -u "\\$\\{POSTGRES_USER\\}"`));
      const env = resolvedEnv(s(), HOST);
      expect(env.SQL_PASSWORD).toBe(HOST.POSTGRES_PASSWORD);
      expect(env.POSTGRES_USER).toBe(resolvedEnv(service('postgres'), HOST).POSTGRES_USER);
      expect(script()).not.toMatch(/--pw|--password/);
    });

    test('is one-shot, runs through a shell, and waits for postgres', () => {
      expect(asText(s().entrypoint)).toMatch(/\/bin\/sh\n-c/);
      expect(s().restart ?? 'no').toBe('no');
      expect(dependsOn(s()).postgres).toBe('service_healthy');
    });
  });

  describe('temporal', () => {
    const env = (host: HostEnv = MINIMAL_HOST): Record<string, string | undefined> => resolvedEnv(service('temporal'), host);
    /** What the suite's own server ran with: scripts/cluster/run.ts builds it the same way. */
    let suite: Record<string, string>;
    beforeAll(async () => {
      const postgres = { host: '127.0.0.1', port: 15432, user: 'temporal', password: 'suite-password' } as PostgresServer;
      suite = await clusterServerEnv(postgres, { dir: '/suite/certs' } as ClusterCerts);
    });
    /** Settings that depend on where the server runs: ports, addresses, credentials, file locations. */
    const WHERE_IT_RUNS = /(_PORT|^BIND_ON_IP|^TEMPORAL_BROADCAST_ADDRESS|^POSTGRES_SEEDS|^POSTGRES_USER|^POSTGRES_PWD|^DYNAMIC_CONFIG_FILE_PATH|^LOG_LEVEL)$/;

    test('runs on postgres12 at the postgres service, with the credentials postgres is created with', () => {
      for (const host of [HOST, MINIMAL_HOST]) {
        const pg = resolvedEnv(service('postgres'), host);
        expect(env(host)).toMatchObject({ DB: 'postgres12', DB_PORT: '5432', POSTGRES_SEEDS: 'postgres', POSTGRES_USER: pg.POSTGRES_USER, POSTGRES_PWD: host.POSTGRES_PASSWORD });
      }
      expect(services.postgres).toBeDefined();
    });

    test('sets every setting the cluster suite ran with, to the same value', () => {
      const settings = Object.entries(suite).filter(([name]) => !WHERE_IT_RUNS.test(name) && !(name in SERVER_TLS_FILES));
      expect(settings.length).toBeGreaterThanOrEqual(Object.keys(SERVER_SETTINGS).length);
      for (const [name, value] of settings) expect([name, env()[name]]).toEqual([name, value]);
    });

    test('sets nothing the suite did not', () => {
      const extra = Object.keys(env()).filter((name) => !(name in suite));
      expect(extra).toEqual([]);
    });

    test('reads the same certificate files as the suite, from the mounted certificates', () => {
      for (const [name, file] of Object.entries(SERVER_TLS_FILES)) {
        expect(env()[name]).toBe(`${CERTS}/${file}`);
        expect(suite[name]).toBe(`/suite/certs/${file}`);
      }
      expect(mounts(service('temporal'))).toContain(`./.data/certs:${CERTS}:ro`);
      expect(mounts(service('temporal'), { ...MINIMAL_HOST, TAKEDOWN_CERTS_DIR: '/srv/takedown/certs' })).toContain(`/srv/takedown/certs:${CERTS}:ro`);
    });

    test('mTLS on the frontend and between its services, with the names the server certificate holds', () => {
      expect(env().TEMPORAL_TLS_REQUIRE_CLIENT_AUTH).toBe('true');
      expect(SERVER_CERT_NAMES).toContain(env().TEMPORAL_TLS_FRONTEND_SERVER_NAME);
      expect(SERVER_CERT_NAMES).toContain(env().TEMPORAL_TLS_INTERNODE_SERVER_NAME);
    });

    test('mounts the dynamic config file the suite ran with', () => {
      const target = env().DYNAMIC_CONFIG_FILE_PATH as string;
      const mount = mounts(service('temporal')).find((m) => m.split(':')[1] === target);
      expect(mount).toBeDefined();
      expect(path.resolve(ROOT, (mount as string).split(':')[0] as string)).toBe(DYNAMIC_CONFIG_FILE);
      expect(suite.DYNAMIC_CONFIG_FILE_PATH).toBe(DYNAMIC_CONFIG_FILE);
      expect(parse(readFileSync(DYNAMIC_CONFIG_FILE, 'utf8'))).toHaveProperty(['frontend.enableUpdateWorkflowExecution', 0, 'value'], true);
    });

    test('starts once the schema job has finished', () => {
      expect(dependsOn(service('temporal'))['temporal-schema']).toBe('service_completed_successfully');
    });
  });

  describe('temporal-init', () => {
    const s = (): Service => service('temporal-init');
    const script = (host: HostEnv = MINIMAL_HOST): string => interpolate(`${asText(s().entrypoint)}\n${asText(s().command)}`, host);

    test('talks to temporal:7233 over mTLS with the admin certificate', () => {
      const tc = script().split('\n').find((line) => /^\s*tc\(\)/.test(line)) ?? '';
      expect(tc).toMatch(/--address temporal:7233(\s|;)/);
      expect(tc).toContain(`--tls-ca-path ${CERTS}/ca.pem --tls-cert-path ${CERTS}/admin.pem --tls-key-path ${CERTS}/admin.key`);
      expect(tc).toMatch(/--tls-server-name temporal(\s|;)/);
      expect(mounts(s())).toContain(`./.data/certs:${CERTS}:ro`);
    });

    test('creates the namespace the worker polls, with the suite’s retention', () => {
      const worker = resolvedEnv(service('worker'), HOST);
      expect(resolvedEnv(s(), HOST).TEMPORAL_NAMESPACE).toBe(worker.TEMPORAL_NAMESPACE);
      expect(resolvedEnv(s(), MINIMAL_HOST).TEMPORAL_NAMESPACE).toBe(NAMESPACE.name);
      expect(script()).toMatch(/ns="\$\{TEMPORAL_NAMESPACE\}"/);
      expect(script()).toContain(`tc operator namespace create --namespace "$ns" --retention ${NAMESPACE.retentionHours}h`);
    });

    test.each(SEARCH_ATTRIBUTE_TYPES)('registers %s (the workflow writes it) as %s in that namespace', (name, type) => {
      const lines = script()
        .split('\n')
        .filter((line) => new RegExp(`--name ${name}(\\s|$)`).test(line));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`tc operator search-attribute create --namespace "\\$ns" --name ${name} --type ${type}$`));
    });

    test('tolerates an attribute that already exists, but not one of a different type', () => {
      expect(script()).toMatch(/already exists/);
      expect(script()).toMatch(/different type/);
    });

    test('is one-shot, runs through a shell, and waits until the server answers', () => {
      expect(asText(s().entrypoint)).toMatch(/\/bin\/sh\n-c/);
      expect(s().restart ?? 'no').toBe('no');
      expect(Object.keys(dependsOn(s()))).toContain('temporal');
      expect(script()).toMatch(/until tc operator cluster health/);
    });
  });

  describe('temporal-ui', () => {
    test('talks to temporal:7233 over mTLS with its own certificate, with an optional codec endpoint', () => {
      const env = resolvedEnv(service('temporal-ui'), HOST);
      expect(env).toMatchObject({
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_TLS_CA: `${CERTS}/ca.pem`,
        TEMPORAL_TLS_CERT: `${CERTS}/ui.pem`,
        TEMPORAL_TLS_KEY: `${CERTS}/ui.key`,
        TEMPORAL_TLS_ENABLE_HOST_VERIFICATION: 'true',
      });
      expect(SERVER_CERT_NAMES).toContain(env.TEMPORAL_TLS_SERVER_NAME);
      expect(env.TEMPORAL_CODEC_ENDPOINT).toBe(HOST.TEMPORAL_CODEC_ENDPOINT);
      expect(resolvedEnv(service('temporal-ui'), MINIMAL_HOST).TEMPORAL_CODEC_ENDPOINT ?? '').toBe('');
      expect(mounts(service('temporal-ui'))).toContain(`./.data/certs:${CERTS}:ro`);
    });
  });

  describe('worker', () => {
    const s = (): Service => service('worker');

    test('builds from the local Dockerfile', () => {
      const build = s().build;
      const context = typeof build === 'string' ? build : (build?.context ?? '.');
      const dockerfile = typeof build === 'object' ? (build.dockerfile ?? 'Dockerfile') : 'Dockerfile';
      expect(path.resolve(ROOT, context, dockerfile)).toBe(path.join(ROOT, 'Dockerfile'));
      expect(existsSync(path.join(ROOT, 'Dockerfile'))).toBe(true);
    });

    test('restarts unless stopped, and starts after temporal, the namespace and the search attributes', () => {
      expect(s().restart).toBe('unless-stopped');
      const deps = dependsOn(s());
      expect(Object.keys(deps)).toContain('temporal');
      expect(deps['temporal-init']).toBe('service_completed_successfully');
    });

    test('passes every setting through from the host environment', () => {
      const env = resolvedEnv(s(), HOST);
      expect(env).toEqual(
        expect.objectContaining({
          TEMPORAL_ADDRESS: 'temporal:7233',
          TEMPORAL_NAMESPACE: HOST.TEMPORAL_NAMESPACE,
          ZEGO_APP_ID: HOST.ZEGO_APP_ID,
          ZEGO_SERVER_SECRET: HOST.ZEGO_SERVER_SECRET,
          ZEGO_API_URL: HOST.ZEGO_API_URL,
          AGORA_CUSTOMER_ID: HOST.AGORA_CUSTOMER_ID,
          AGORA_CUSTOMER_SECRET: HOST.AGORA_CUSTOMER_SECRET,
          AGORA_API_URL: HOST.AGORA_API_URL,
          TAKEDOWN_METRICS_ADDRESS: '0.0.0.0:9464',
        }),
      );
    });

    test('falls back to the documented defaults', () => {
      const env = resolvedEnv(s(), MINIMAL_HOST);
      expect(env.TEMPORAL_NAMESPACE).toBe('default');
      expect(env.TAKEDOWN_TASK_QUEUE).toBe('takedown');
      expect(env.ZEGO_API_URL).toBe('https://rtc-api.zego.im');
      expect(env.AGORA_API_URL).toBe('https://api.agora.io');
    });

    test('connects with the TEMPORAL_* variables the suite’s worker used, to a name in the server certificate', () => {
      const env = resolvedEnv(s(), MINIMAL_HOST);
      const suiteWorker = clusterWorkerEnv('127.0.0.1:7233', { dir: '/suite/certs' } as ClusterCerts, NAMESPACE.name);
      // The suite dials 127.0.0.1 and names the certificate with TEMPORAL_TLS_SERVER_NAME; compose dials the name itself.
      const connection = (e: Record<string, string | undefined>) => Object.keys(e).filter((k) => isTemporalConnectionVariable(k) && k !== 'TEMPORAL_TLS_SERVER_NAME').sort();
      expect(connection(env)).toEqual(connection(suiteWorker));
      for (const [name, file] of Object.entries(WORKER_TLS_FILES)) expect(env[name]).toBe(`${CERTS}/${file}`);
      expect(SERVER_CERT_NAMES).toContain((env.TEMPORAL_ADDRESS as string).split(':')[0]);
      expect(mounts(s())).toContain(`./.data/certs:${CERTS}:ro`);
    });

    test('and those variables give it mTLS with the worker certificate', () => {
      const settings = loadTemporalConnection(onThisMachine(resolvedEnv(s(), MINIMAL_HOST)));
      expect(settings.auth).toBe('mtls');
      expect(settings.summary).toBe(`temporal:7233, namespace default, mTLS (client certificate CN=takedown-worker, server CA ${localCerts.ca})`);
    });

    test.each(WORKER_PROVIDER_SECRETS)('%s comes only from the same-named host variable', (name) => {
      const raw = rawEnv(s());
      expect(Object.keys(raw)).toContain(name);
      // A bare pass-through, or a ${NAME...} reference without a default: never a literal.
      if (raw[name] !== null) expect(raw[name]).toMatch(new RegExp(`^\\$\\{${name}(:?-|:?\\?[^}]*)?\\}$`));
      expect(resolvedEnv(s(), { ...MINIMAL_HOST, [name]: `${name}-from-host` })[name]).toBe(`${name}-from-host`);
    });

    test('a setting the host leaves unset stays unset (the worker rejects empty values)', () => {
      const env = resolvedEnv(s(), MINIMAL_HOST);
      for (const name of WORKER_PROVIDER_SECRETS) expect(env[name]).toBeUndefined();
      const empty = Object.entries(env).filter(([, value]) => value === '').map(([key]) => key);
      expect(empty).toEqual([]);
    });

    describe('the worker accepts the environment compose gives it', () => {
      const ZEGO = { ZEGO_APP_ID: '1234567890', ZEGO_SERVER_SECRET: '0123456789abcdef0123456789abcdef' };
      const AGORA = { AGORA_CUSTOMER_ID: 'agora-customer', AGORA_CUSTOMER_SECRET: 'agora-secret' };
      const configFor = (host: HostEnv): ReturnType<typeof loadConfig> => loadConfig(onThisMachine(resolvedEnv(s(), { ...MINIMAL_HOST, ...host })));

      test.each([
        ['ZEGO only', ZEGO, 1, 0],
        ['Agora only', AGORA, 0, 1],
        ['both providers', { ...ZEGO, ...AGORA }, 1, 1],
      ])('%s', (_label, host, zegoApps, agoraAccounts) => {
        const config = configFor(host);
        expect(config.zego.apps).toHaveLength(zegoApps);
        expect(config.agora.accounts).toHaveLength(agoraAccounts);
        expect(config.temporal).toEqual({ address: 'temporal:7233', namespace: 'default' });
        expect(config.temporalConnection.auth).toBe('mtls');
        expect(config.metricsAddress).toBe('0.0.0.0:9464');
      });

      test('with no provider, the only problem reported is the missing provider', () => {
        let problems: string[] = [];
        try {
          configFor({});
        } catch (err) {
          if (err instanceof ConfigError) problems = err.problems;
          else throw err;
        }
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/no provider configured/);
      });
    });
  });

  test('no secret-looking variable anywhere holds a literal value', () => {
    const literal: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(rawEnv(s))) {
        // null: a bare name, passed through from the host.
        if (!/SECRET|PASSWORD|PWD|TOKEN|API_KEY|_ID$|_KEYS$/.test(key) || value === null) continue;
        const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-|:?\?[^}]*)?\}$/.exec(value);
        if (!ref) literal.push(`${name}.${key}`);
      }
    }
    expect(literal).toEqual([]);
    // And none of the sample secrets above leaks into the file itself.
    for (const value of Object.values(HOST)) expect(composeText).not.toContain(value as string);
  });
});

// ---------------------------------------------------------------------------------------------
// Dockerfile and .dockerignore
// ---------------------------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}

/** Instructions per stage (line continuations joined, comments dropped). */
function dockerStages(text: string): Instruction[][] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { op: op.toUpperCase(), args };
    if (instruction.op === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerStages(read('Dockerfile'));
  const final = stages.at(-1) ?? [];
  const all = (stage: Instruction[], op: string): string[] => stage.filter((i) => i.op === op).map((i) => i.args);
  const buildStageName = (): string => {
    const from = /\bAS\s+(\S+)/i.exec(stages[0]?.[0]?.args ?? '');
    return from?.[1] ?? '';
  };

  test('is multi-stage on node:20-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]?.args).toMatch(/^node:20-bookworm-slim(\s|$)/);
  });

  test('the build stage installs with npm ci and runs npm run build', () => {
    const runs = stages.slice(0, -1).flatMap((stage) => all(stage, 'RUN'));
    expect(runs.some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
  });

  test('the runtime stage has production dependencies and the compiled lib/ only', () => {
    expect(all(final, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    const copies = all(final, 'COPY');
    expect(copies).toContainEqual(expect.stringMatching(new RegExp(`^--from=${buildStageName()}\\s+\\S*lib/?\\s+\\S*lib/?$`)));
    expect(copies.some((c) => /\bsrc\b|node_modules/.test(c))).toBe(false);
  });

  test('ships the workflow bundle built with the image and points the worker at it', () => {
    const runs = stages.slice(0, -1).flatMap((stage) => all(stage, 'RUN'));
    expect(runs.some((r) => /\bnode lib\/bundle-workflows\.js lib\/workflow-bundle\.js\b/.test(r))).toBe(true);
    expect(all(final, 'ENV').join(' ')).toMatch(/\bTAKEDOWN_WORKFLOW_BUNDLE=\/app\/lib\/workflow-bundle\.js\b/);
  });

  test('the runtime reads its Temporal connection from the environment: envconfig is a production dependency, no TEMPORAL_* is baked in', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.dependencies['@temporalio/envconfig']).toBe(pkg.dependencies['@temporalio/worker']);
    expect(pkg.dependencies['@temporalio/envconfig']).toBe('1.24.0');
    expect(all(final, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(all(final, 'ENV').join(' ')).not.toMatch(/\bTEMPORAL_/);
    expect(all(final, 'ARG').join(' ')).not.toMatch(/\bTEMPORAL_/);
  });

  test('runs as the non-root node user', () => {
    const users = all(final, 'USER');
    expect(users.at(-1)).toBe('node');
    // USER must come before CMD, or it would not apply to the process.
    expect(final.findIndex((i) => i.op === 'USER')).toBeLessThan(final.findIndex((i) => i.op === 'CMD'));
  });

  test('runs lib/worker.js, the build output of src/worker.ts, and stops on SIGTERM', () => {
    const cmd = all(final, 'CMD').at(-1) ?? '';
    expect(JSON.parse(cmd)).toEqual(['node', 'lib/worker.js']);
    expect(all(final, 'STOPSIGNAL').at(-1)).toBe('SIGTERM');
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions?: { outDir?: string; rootDir?: string } };
    expect(build.compilerOptions?.outDir).toBe('lib');
    expect(build.compilerOptions?.rootDir).toBe('src');
  });
});

describe('.dockerignore', () => {
  test('keeps host artefacts and secrets out of the build context, but not what the build needs', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim().replace(/^\/|\/$/g, ''))
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'lib', '.tools', '.data', '.git', 'coverage', '.env']));
    for (const needed of ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});
