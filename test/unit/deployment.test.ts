/**
 * Checks the self-hosting files (docker-compose.yml, Dockerfile, .dockerignore) without a Docker
 * engine: the compose file is parsed, its `${...}` references are resolved the way Compose
 * resolves them, and the wiring between services is checked on the resolved values.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../../src/takedown-worker/config';

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
const SEARCH_ATTRIBUTES = ['TakedownProvider', 'TakedownAppId', 'TakedownViolationId', 'TakedownOutcome'] as const;
const CORE_SERVICES = ['postgres', 'temporal', 'temporal-ui', 'temporal-admin-tools', 'worker'] as const;

// ---------------------------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  test('defines the five services', () => {
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

  describe('images', () => {
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

    test('uses the expected images', () => {
      const repo = (name: string): string => parseImage(service(name).image ?? '').repository;
      expect(repo('postgres')).toBe('postgres');
      expect(repo('temporal')).toBe('temporalio/auto-setup');
      expect(repo('temporal-ui')).toBe('temporalio/ui');
      expect(repo('temporal-admin-tools')).toBe('temporalio/admin-tools');
    });

    test('temporal server is a 1.2x release, and admin-tools matches its version', () => {
      const server = parseImage(service('temporal').image ?? '').tag ?? '';
      const admin = parseImage(service('temporal-admin-tools').image ?? '').tag ?? '';
      expect(server).toMatch(/^1\.2\d\.\d+$/);
      expect(admin.startsWith(server)).toBe(true);
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

    test('postgres is not published to the host', () => {
      expect(service('postgres').ports ?? []).toEqual([]);
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
      const mounts = (service('postgres').volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
      const data = mounts.find((m) => m.endsWith(':/var/lib/postgresql/data'));
      expect(data).toBeDefined();
      const source = (data as string).split(':')[0] as string;
      expect(source).not.toMatch(/^[./~]/); // a named volume, not a bind mount
      expect(Object.keys(compose.volumes ?? {})).toContain(source);
    });

    test('has a healthcheck', () => {
      expect(asText(service('postgres').healthcheck?.test)).toMatch(/pg_isready/);
    });
  });

  describe('temporal', () => {
    test('runs on postgres12 at the postgres service', () => {
      const env = resolvedEnv(service('temporal'), MINIMAL_HOST);
      expect(env.DB).toBe('postgres12');
      expect(env.DB_PORT).toBe('5432');
      expect(env.POSTGRES_SEEDS).toBe('postgres');
      expect(services[env.POSTGRES_SEEDS as string]).toBeDefined();
    });

    test.each([
      ['the user’s own credentials', HOST],
      ['only the required password', MINIMAL_HOST],
    ])('uses the credentials postgres is created with (%s)', (_label, host) => {
      const pg = resolvedEnv(service('postgres'), host);
      const temporal = resolvedEnv(service('temporal'), host);
      expect(temporal.POSTGRES_USER).toBeTruthy();
      expect(temporal.POSTGRES_USER).toBe(pg.POSTGRES_USER);
      expect(temporal.POSTGRES_PWD).toBe(pg.POSTGRES_PASSWORD);
      expect(temporal.POSTGRES_PWD).toBe(host.POSTGRES_PASSWORD);
    });

    test('starts only once postgres is healthy, and reports its own health', () => {
      expect(dependsOn(service('temporal')).postgres).toBe('service_healthy');
      expect(service('postgres').healthcheck).toBeDefined();
      expect(asText(service('temporal').healthcheck?.test)).toMatch(/temporal operator cluster health/);
    });

    test('creates the namespace the worker polls', () => {
      const temporal = resolvedEnv(service('temporal'), HOST);
      const worker = resolvedEnv(service('worker'), HOST);
      expect(worker.TEMPORAL_NAMESPACE).toBe(HOST.TEMPORAL_NAMESPACE);
      expect(temporal.DEFAULT_NAMESPACE).toBe(worker.TEMPORAL_NAMESPACE);
      expect(resolvedEnv(service('temporal'), MINIMAL_HOST).DEFAULT_NAMESPACE).toBe('default');
    });
  });

  describe('temporal-ui', () => {
    test('talks to temporal:7233, with an optional codec endpoint', () => {
      const env = resolvedEnv(service('temporal-ui'), HOST);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.TEMPORAL_CODEC_ENDPOINT).toBe(HOST.TEMPORAL_CODEC_ENDPOINT);
      expect(resolvedEnv(service('temporal-ui'), MINIMAL_HOST).TEMPORAL_CODEC_ENDPOINT ?? '').toBe('');
    });
  });

  describe('temporal-admin-tools', () => {
    const s = (): Service => service('temporal-admin-tools');
    const script = (host: HostEnv = MINIMAL_HOST): string => interpolate(`${asText(s().entrypoint)}\n${asText(s().command)}`, host);

    test.each(SEARCH_ATTRIBUTES)('registers %s as a Keyword on temporal:7233', (name) => {
      const lines = script()
        .split('\n')
        .filter((line) => new RegExp(`--name ${name}(\\s|$)`).test(line));
      expect(lines).toHaveLength(1);
      const line = lines[0] as string;
      expect(line).toMatch(/temporal operator search-attribute create /);
      expect(line).toMatch(/--address temporal:7233(\s|$)/);
      expect(line).toMatch(new RegExp(`--name ${name} --type Keyword(\\s|$)`));
    });

    test('registers them in the worker’s namespace', () => {
      const env = resolvedEnv(s(), HOST);
      expect(env.TEMPORAL_NAMESPACE).toBe(resolvedEnv(service('worker'), HOST).TEMPORAL_NAMESPACE);
      for (const line of script().split('\n').filter((l) => l.includes('search-attribute create'))) {
        expect(line).toMatch(/--namespace "\$\{?ns\}?"/);
      }
      expect(script()).toMatch(/ns="\$\{TEMPORAL_NAMESPACE\}"/);
    });

    test('tolerates an attribute that already exists, but not one of a different type', () => {
      expect(script()).toMatch(/already exists/);
      expect(script()).toMatch(/different type/);
    });

    test('is one-shot, runs through a shell, and waits for the server', () => {
      expect(asText(s().entrypoint)).toMatch(/\/bin\/sh\n-c|\/bin\/sh -c/);
      expect(s().restart ?? 'no').toBe('no');
      expect(dependsOn(s()).temporal).toBe('service_healthy');
      expect(script()).toMatch(/until temporal operator namespace describe/);
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

    test('restarts unless stopped, and starts after temporal and the search attributes', () => {
      expect(s().restart).toBe('unless-stopped');
      const deps = dependsOn(s());
      expect(Object.keys(deps)).toContain('temporal');
      expect(deps['temporal-admin-tools']).toBe('service_completed_successfully');
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
      const configFor = (host: HostEnv): ReturnType<typeof loadConfig> => loadConfig(resolvedEnv(s(), { ...MINIMAL_HOST, ...host }));

      test.each([
        ['ZEGO only', ZEGO, 1, 0],
        ['Agora only', AGORA, 0, 1],
        ['both providers', { ...ZEGO, ...AGORA }, 1, 1],
      ])('%s', (_label, host, zegoApps, agoraAccounts) => {
        const config = configFor(host);
        expect(config.zego.apps).toHaveLength(zegoApps);
        expect(config.agora.accounts).toHaveLength(agoraAccounts);
        expect(config.temporal).toEqual({ address: 'temporal:7233', namespace: 'default' });
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
        if (!/SECRET|PASSWORD|PWD|TOKEN|API_KEY|_ID$/.test(key) || value === null) continue;
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
