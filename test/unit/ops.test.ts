/**
 * The shipped operations files (ops/): Prometheus' config and alert rules checked and unit-tested
 * with promtool, the Grafana dashboard's queries parsed by promtool too, every series they name
 * one the worker exports, and docker-compose.yml wiring them to the worker.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { PROMETHEUS_METRICS, WORKER_METRICS } from '../harness/worker-metrics';

const ROOT = path.resolve(__dirname, '..', '..');
const OPS = path.join(ROOT, 'ops');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** promtool from $PROMTOOL, then .tools/promtool (ops/provision-promtool.sh), then PATH. */
function findPromtool(): string | undefined {
  const candidates = [process.env.PROMTOOL, path.join(ROOT, '.tools', 'promtool', 'promtool'), 'promtool'];
  return candidates.find((c) => c && spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0);
}

let promtool: string;
beforeAll(() => {
  const found = findPromtool();
  if (!found) {
    throw new Error('promtool not found ($PROMTOOL, .tools/promtool/promtool, PATH): run `bash ops/provision-promtool.sh` (CI runs it in .ci/run)');
  }
  promtool = found;
});

function runPromtool(args: string[], cwd = OPS): { status: number | null; output: string } {
  const run = spawnSync(promtool, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rules = (parse(read('ops/prometheus/alerts.yml')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string; refId: string }[];
}
const dashboard = JSON.parse(read('ops/grafana/dashboards/takedown.json')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string | { query: string } }[] };
};
const dashboardQueries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, ...t })));

describe('promtool', () => {
  test('checks the alert rules', () => {
    const run = runPromtool(['check', 'rules', 'prometheus/alerts.yml']);
    expect(run.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(run.status).toBe(0);
  });

  test('checks the Prometheus config, which loads the rules', () => {
    const run = runPromtool(['check', 'config', 'prometheus/prometheus.yml']);
    expect(run.output).toContain('SUCCESS: 1 rule files found');
    expect(run.output).toContain('is valid prometheus config file syntax');
    expect(run.status).toBe(0);
  });

  test('passes the rules unit tests (ops/prometheus/alerts.test.yml)', () => {
    const run = runPromtool(['test', 'rules', 'alerts.test.yml'], path.join(OPS, 'prometheus'));
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  test('reports a rule that does not parse (so the checks above can fail)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'takedown-rules-'));
    try {
      writeFileSync(path.join(dir, 'bad.yml'), stringify({ groups: [{ name: 'bad', rules: [{ alert: 'Bad', expr: 'sum by (provider (x)' }] }] }));
      const run = runPromtool(['check', 'rules', path.join(dir, 'bad.yml')]);
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(/parse error/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('parses every dashboard query', () => {
    expect(dashboardQueries.length).toBeGreaterThanOrEqual(15);
    const dir = mkdtempSync(path.join(tmpdir(), 'takedown-dashboard-'));
    try {
      const asRules = dashboardQueries.map((q) => ({ record: `dashboard:panel_${q.panel.id}:${q.refId}`, expr: grafanaToPromql(q.expr) }));
      writeFileSync(path.join(dir, 'dashboard.yml'), stringify({ groups: [{ name: 'dashboard', rules: asRules }] }));
      const run = runPromtool(['check', 'rules', path.join(dir, 'dashboard.yml')]);
      expect(run.output).toContain(`SUCCESS: ${asRules.length} rules found`);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('alert rules', () => {
  test('are the documented set', () => {
    expect(rules.map((r) => r.alert)).toEqual([
      'TakedownProviderUnavailable',
      'TakedownProviderRejected',
      'TakedownStepRetrying',
      'TakedownProviderThrottling',
      'TakedownPacerWaitHigh',
      'TakedownWorkerDown',
      'TakedownWorkerMissing',
      'TakedownWorkerNotPolling',
      'TakedownBanRenewalLate',
    ]);
    const readme = read('README.md');
    expect(rules.filter((r) => !readme.includes(`\`${r.alert}\``)).map((r) => r.alert)).toEqual([]);
  });

  test.each(rules.map((r) => [r.alert, r] as const))('%s: severity, summary, description and runbook; scoped to the worker job', (_name, rule) => {
    expect(['page', 'warning']).toContain(rule.labels.severity);
    expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook', 'summary']);
    expect(rule.annotations.runbook).toBe('README.md#alerts');
    for (const selector of selectors(rule.expr)) expect(`${selector.name}{${selector.matchers}}`).toMatch(/job="takedown-worker"/);
  });
});

describe('every series ops/ names is one the worker exports, with its labels', () => {
  const known = { ...WORKER_METRICS };
  const sources = [
    ...rules.map((r) => [`alert ${r.alert}`, r.expr] as const),
    ...dashboardQueries.map((q) => [`panel "${q.panel.title}" ${q.refId}`, grafanaToPromql(q.expr)] as const),
    ...dashboard.templating.list.filter((v) => v.type === 'query').map((v) => [`variable ${v.name}`, typeof v.query === 'string' ? v.query : v.query.query] as const),
  ];

  test.each(sources)('%s', (_source, expr) => {
    const used = selectors(expr);
    expect(used.length).toBeGreaterThan(0);
    const available = new Set(['job', 'instance', 'le', 'alertname', 'alertstate']);
    for (const { name, matchers } of used) {
      if ((PROMETHEUS_METRICS as readonly string[]).includes(name)) continue;
      const metric = known[baseName(name)];
      expect({ name, known: metric !== undefined }).toEqual({ name, known: true });
      if (metric!.type !== 'histogram') expect(baseName(name)).toBe(name);
      for (const label of metric!.labels) available.add(label);
      for (const label of matcherLabels(matchers)) expect({ name, label, known: available.has(label) }).toEqual({ name, label, known: true });
    }
    for (const label of groupingLabels(expr)) expect({ label, known: available.has(label) }).toEqual({ label, known: true });
  });
});

describe('docker-compose.yml runs Prometheus and Grafana on the worker', () => {
  type Service = { image?: string; volumes?: string[]; command?: string[]; ports?: string[]; environment?: Record<string, string | null> };
  const services = (parse(read('docker-compose.yml')) as { services: Record<string, Service> }).services;
  const prometheusConfig = parse(read('ops/prometheus/prometheus.yml')) as {
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };

  test('Prometheus loads ops/prometheus and scrapes the worker at its metrics address', () => {
    const prometheus = services.prometheus!;
    expect(prometheus.volumes).toContain('./ops/prometheus:/etc/prometheus:ro');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(prometheusConfig.rule_files).toEqual(['alerts.yml']);
    const job = prometheusConfig.scrape_configs.find((c) => c.job_name === 'takedown-worker');
    expect(job?.static_configs.flatMap((s) => s.targets)).toEqual(['worker:9464']);
    expect(services.worker?.environment?.TAKEDOWN_METRICS_ADDRESS).toBe('0.0.0.0:9464');
  });

  test('Grafana gets the provisioned data source and the dashboard folder the provider reads', () => {
    const grafana = services.grafana!;
    const datasources = parse(read('ops/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; url: string; type: string }[] };
    const providers = parse(read('ops/grafana/provisioning/dashboards/takedown.yml')) as { providers: { options: { path: string } }[] };
    expect(grafana.volumes).toContain('./ops/grafana/provisioning:/etc/grafana/provisioning:ro');
    const dashboards = grafana.volumes?.find((v) => v.startsWith('./ops/grafana/dashboards:'));
    expect(dashboards?.split(':')[1]).toBe(providers.providers[0]?.options.path);
    expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', uid: 'takedown-prometheus' })]);
    expect(grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${providers.providers[0]?.options.path}/takedown.json`);
    expect(existsSync(path.join(OPS, 'grafana', 'dashboards', 'takedown.json'))).toBe(true);
    // The admin password only ever comes from the host environment.
    expect(grafana.environment).toHaveProperty('GF_SECURITY_ADMIN_PASSWORD', null);
  });

  test('the dashboard uses the data source variable, defaulting to the provisioned one', () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource') as unknown as { type: string; current: { value: string } };
    expect(variable).toMatchObject({ type: 'datasource', current: { value: 'takedown-prometheus' } });
    const raw = read('ops/grafana/dashboards/takedown.json');
    expect(raw.match(/"uid": "([^"]+)"/g)?.filter((u) => u !== '"uid": "${datasource}"' && u !== `"uid": "${dashboard.uid}"`)).toEqual([]);
  });
});

/** Grafana's macros and variables replaced by what Prometheus would be sent. */
function grafanaToPromql(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$\{?provider\}?/g, '.*');
}

/** `name{matchers}` selectors in a PromQL expression. */
function selectors(expr: string): { name: string; matchers: string }[] {
  return [...expr.matchAll(/\b([A-Za-z_:][A-Za-z0-9_:]*)\{([^}]*)\}/g)].map((m) => ({ name: m[1]!, matchers: m[2]! }));
}

function baseName(name: string): string {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return WORKER_METRICS[base]?.type === 'histogram' ? base : name;
}

function matcherLabels(matchers: string): string[] {
  return [...matchers.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)/g)].map((m) => m[1]!);
}

/** Labels named in `by (...)` and `without (...)` clauses. */
function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()).filter(Boolean));
}
