/**
 * `npm run chaos`: the fault suite of issue 7. Drives the real stack (a Temporal dev server with a
 * database file, worker processes, the provider sandbox) through five scenarios, checks the
 * invariants, writes `chaos/RESULTS.md` and `chaos/results.json`, and exits non-zero if any
 * invariant failed. `--quick` runs the same scenarios at a smaller scale (used by `npm test`).
 *
 * Options: `--quick`, `--seed N` (replay a run's randomness), `--out DIR` (where results go;
 * default `chaos/` in full mode and a temporary directory in quick mode), `--only a,b` (scenario ids).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Agent, setGlobalDispatcher } from 'undici';
import { startHarnessStack } from '../harness/stack';
import { freePort } from '../src/devstack/dev-server';
import { sandboxWorkerEnv } from '../src/devstack/sandbox-env';
import { temporalCliVersion } from '../src/devstack/temporal-cli';
import { createLogger } from '../src/takedown-worker/logging';
import { FULL_SIZES, QUICK_SIZES, type ChaosContext, type RunSecrets } from './lib/context';
import { stopAll, track } from './lib/processes';
import { renderJson, renderMarkdown, type RunInfo } from './lib/report';
import { isFailure, type ScenarioResult } from './lib/result';
import { createRng } from './lib/rng';
import { ChaosSandbox } from './lib/sandbox';
import { ChaosTemporal } from './lib/temporal';
import { WorkerProcess } from './lib/workers';
import { hostileInputScenario } from './scenarios/hostile-input';
import { providerOutage } from './scenarios/provider-outage';
import { providerStorms } from './scenarios/provider-storms';
import { secretsScan } from './scenarios/secrets';
import { temporalRestart } from './scenarios/temporal-restart';
import { workerCrashes } from './scenarios/worker-crashes';

/** Scenarios in the order they run; secrets last, because it reads what all the others left. */
const SCENARIOS: Record<string, (ctx: ChaosContext) => Promise<ScenarioResult>> = {
  'worker-crashes': workerCrashes,
  'temporal-restart': temporalRestart,
  'provider-storms': providerStorms,
  'hostile-input': hostileInputScenario,
  'provider-outage': providerOutage,
  secrets: secretsScan,
};

interface Args {
  quick: boolean;
  seed: number;
  out?: string;
  only?: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, seed: randomBytes(4).readUInt32BE() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.quick = true;
    else if (arg === '--seed') args.seed = Number(argv[++i]);
    else if (arg === '--out') args.out = argv[++i];
    else if (arg === '--only') args.only = (argv[++i] ?? '').split(',');
    else throw new Error(`unknown argument ${arg}; use --quick, --seed N, --out DIR, --only a,b`);
  }
  if (!Number.isInteger(args.seed)) throw new Error('--seed needs an integer');
  for (const id of args.only ?? []) if (!(id in SCENARIOS)) throw new Error(`unknown scenario ${id}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  return args;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Environment every worker gets: the run's dev server, the sandbox as both providers, fresh secrets. */
function workerEnv(temporalAddress: string, sandboxUrl: string, secrets: RunSecrets, zegoAppId: number): Record<string, string> {
  return {
    ...sandboxWorkerEnv(sandboxUrl, temporalAddress, {
      zego: { appId: zegoAppId, serverSecret: secrets.zegoServerSecret },
      agora: { customerId: secrets.agoraCustomerId, customerSecret: secrets.agoraCustomerSecret },
    }),
    TEMPORAL_NAMESPACE: 'default',
    TAKEDOWN_LOG_LEVEL: 'INFO',
    TAKEDOWN_METRICS_ADDRESS: 'off',
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  // No keep-alive for the runner's own HTTP calls (sandbox control, /metrics): a CPU-bound phase
  // (the property run) can outlast the server's keep-alive, and reusing that socket ends in ECONNRESET.
  setGlobalDispatcher(new Agent({ pipelining: 0 }));
  const started = performance.now();
  const sizes = args.quick ? QUICK_SIZES : FULL_SIZES;
  const runId = hex(3);
  const workDir = mkdtempSync(path.join(os.tmpdir(), `takedown-chaos-${runId}-`));
  const logDir = path.join(workDir, 'logs');
  mkdirSync(logDir);
  const log = (line: string) => console.log(`[chaos ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);
  log(`run ${runId}, seed ${args.seed}, ${args.quick ? 'quick' : 'full'} mode, work dir ${workDir}`);

  const secrets: RunSecrets = { zegoServerSecret: hex(16), agoraCustomerId: `chaos-${hex(4)}`, agoraCustomerSecret: hex(12) };
  const zegoAppId = 1_000_000_000 + randomBytes(3).readUIntBE(0, 3);
  const agoraAppIds = [hex(16), hex(16)];
  const lifetimeSeconds = args.quick ? 600 : 1800;
  const stack = await startHarnessStack({
    lifetimeSeconds,
    dbFilename: path.join(workDir, 'temporal.db'),
    log,
    sandbox: () =>
      ChaosSandbox.start({
        zegoApp: { appId: zegoAppId, serverSecret: secrets.zegoServerSecret },
        agoraAccount: { customerId: secrets.agoraCustomerId, customerSecret: secrets.agoraCustomerSecret },
        encoderReconnectDelayMs: 50,
      }),
  });
  track({ name: 'dev server and sandbox', stop: () => stack.stop() });
  const { cli, sandbox } = stack;
  const temporal = new ChaosTemporal(stack);
  log(`dev server ${temporal.address} (db ${path.join(workDir, 'temporal.db')}), sandbox ${sandbox.url}`);

  // Bundled once, as a deployment would: a restarted worker polls again without bundling first.
  const workflowBundle = path.join(workDir, 'workflow-bundle.js');
  // The worker's own logger, so the bundler's module report stays at DEBUG as it does in the worker.
  const bundleLogger = createLogger('INFO', 'pretty', (line) => process.stdout.write(line));
  writeFileSync(workflowBundle, (await bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: bundleLogger })).code);
  const base = {
    ...workerEnv(temporal.address, sandbox.url, secrets, zegoAppId),
    TAKEDOWN_WORKFLOW_BUNDLE: workflowBundle,
    ZEGO_MAX_RULE_SECONDS: String(sizes.bans.zegoRuleCapSeconds),
  };
  await sandbox.control.configure({ ruleCaps: { zegoMaxEffectiveTimeSeconds: sizes.bans.zegoRuleCapSeconds } });
  const mainQueue = `chaos-${runId}`;
  const outageQueue = `chaos-${runId}-outage`;
  const mainWorkers = ['worker-a', 'worker-b'].map(
    (name) =>
      new WorkerProcess({
        name,
        logDir,
        lifetimeSeconds,
        restartOnCrash: true,
        env: { ...base, TAKEDOWN_TASK_QUEUE: mainQueue, TAKEDOWN_RETRY_INITIAL_INTERVAL: '100ms', TAKEDOWN_RETRY_MAXIMUM_INTERVAL: '2s' },
      }),
  );
  const outageMetrics = await Promise.all((args.quick ? [1] : [1, 2]).map(async () => `127.0.0.1:${await freePort()}`));
  const outageWorkers = outageMetrics.map(
    (metrics, i) =>
      new WorkerProcess({
        name: `outage-worker-${i + 1}`,
        logDir,
        lifetimeSeconds,
        restartOnCrash: true,
        env: {
          ...base,
          TAKEDOWN_TASK_QUEUE: outageQueue,
          TAKEDOWN_RETRY_INITIAL_INTERVAL: '200ms',
          TAKEDOWN_RETRY_MAXIMUM_INTERVAL: '1s',
          TAKEDOWN_STEP_BUDGET: `${sizes.outage.stepBudgetMs / 1000}s`,
          TAKEDOWN_METRICS_ADDRESS: metrics,
        },
      }),
  );
  const scenarioIds = args.only ?? Object.keys(SCENARIOS);
  const needOutage = scenarioIds.includes('provider-outage');
  await Promise.all([...mainWorkers, ...(needOutage ? outageWorkers : [])].map((w) => w.start()));
  log(`workers polling: ${[...mainWorkers, ...(needOutage ? outageWorkers : [])].map((w) => w.name).join(', ')}`);

  const ctx: ChaosContext = {
    quick: args.quick,
    sizes,
    runId,
    seed: args.seed,
    rng: createRng(args.seed),
    temporal,
    sandbox,
    mainWorkers,
    mainQueue,
    outageWorkers,
    outageQueue,
    outageMetrics,
    secrets,
    zegoAppId,
    agoraAppIds,
    logDir,
    log,
  };

  const results: ScenarioResult[] = [];
  for (const id of scenarioIds) {
    log(`scenario ${id}: start`);
    const result = await SCENARIOS[id]!(ctx);
    results.push(result);
    const failed = result.checks.filter(isFailure);
    log(`scenario ${id}: ${failed.length === 0 ? 'ok' : `FAILED ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`} in ${(result.durationMs / 1000).toFixed(1)} s`);
  }

  const info: RunInfo = {
    mode: args.quick ? 'quick' : 'full',
    runId,
    seed: args.seed,
    date: new Date().toISOString(),
    durationMs: performance.now() - started,
    machine: `${os.type()} ${os.release()} ${os.arch()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    temporalCli: temporalCliVersion(cli),
    sdk: (JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string }).version,
    workDir,
  };
  // The whole request log stays with the worker logs, for a post-mortem of any figure.
  writeFileSync(path.join(workDir, 'sandbox-requests.json'), JSON.stringify(await sandbox.control.requests()));
  const outDir = args.out ?? (args.quick ? workDir : __dirname);
  mkdirSync(outDir, { recursive: true });
  const json = renderJson(info, results);
  writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'RESULTS.md'), renderMarkdown(info, results));
  const failed = results.flatMap((r) => r.checks.filter(isFailure).map((c) => `${r.id}: ${c.name}: ${c.detail}`));
  log(`results in ${path.join(outDir, 'RESULTS.md')} and results.json`);
  console.log(`CHAOS_RESULTS_JSON ${path.join(outDir, 'results.json')}`);
  if (failed.length) {
    console.error(`[chaos] ${failed.length} invariant(s) failed:\n${failed.map((f) => `  - ${f}`).join('\n')}`);
    return 1;
  }
  log(`all invariants held in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    console.error(`[chaos] run failed: ${(err as Error)?.stack ?? err}`);
    await stopAll();
    process.exit(1);
  });
