/**
 * The chaos suite's quick mode (`npx tsx chaos/run.ts --quick`) inside `npm test`: the real stack
 * at a small scale, with worker kills, a dev-server restart, provider storms and outages, hostile
 * input and the secrets grep. It starts its own dev server (it restarts it), so it runs as a child
 * process, apart from the one the other integration tests share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

interface ChaosJson {
  ok: boolean;
  mode: string;
  failedChecks: string[];
  scenarios: Record<string, { ok: boolean; figures: Record<string, unknown> }>;
}

let child: ChildProcess | undefined;

/**
 * Runs the quick mode (what `npx tsx chaos/run.ts --quick` runs, without npx and tsx's own
 * wrapper processes, so a signal reaches the runner, which then stops everything it started);
 * resolves with its exit code and output (kept for the failure message).
 */
function runQuick(outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, ['--import', 'tsx', 'chaos/run.ts', '--quick', '--out', outDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

let outDir: string;
afterAll(() => {
  // On a timeout the runner is still going: SIGTERM makes it stop its dev server and workers.
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  rmSync(outDir, { recursive: true, force: true });
});

test('chaos quick mode: every invariant holds on the real stack', async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), 'takedown-chaos-quick-'));
  const { code, output } = await runQuick(outDir);
  if (code !== 0) throw new Error(`chaos --quick exited with ${code}:\n${output}`);
  const results = JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8')) as ChaosJson;
  expect(results.mode).toBe('quick');
  expect(results.failedChecks).toEqual([]);
  expect(results.ok).toBe(true);
  const { scenarios } = results;

  const crash = scenarios['worker-crashes']!.figures;
  expect(crash.kills).toBeGreaterThanOrEqual(5);
  expect(crash.completed).toBe(crash.takedowns);
  expect(crash.orderViolations).toBe(0);
  expect(crash.racingRequests).toBe(0);

  const restart = scenarios['temporal-restart']!.figures;
  expect(restart.completed).toBe(restart.takedowns);
  expect(restart.runningAtRestart).toBeGreaterThan(0);

  const storm = scenarios['provider-storms']!.figures;
  expect(storm.completed).toBe(storm.takedowns);
  expect(storm.orderViolations).toBe(0);

  const outage = scenarios['provider-outage']!.figures as { short: { completed: number; takedowns: number }; long: { takedowns: number; providerUnavailable: number; searchAttributeCount: number; metricProviderUnavailable: number } };
  expect(outage.short.completed).toBe(outage.short.takedowns);
  expect(outage.long.providerUnavailable).toBe(outage.long.takedowns);
  expect(outage.long.searchAttributeCount).toBe(outage.long.takedowns);
  expect(outage.long.metricProviderUnavailable).toBeGreaterThanOrEqual(outage.long.takedowns);

  const hostile = scenarios['hostile-input']!.figures;
  expect(hostile.rejected).toBe(hostile.inputs);
  expect(hostile.inputs).toBeGreaterThanOrEqual(1_000);
  expect(hostile.workflowsClearMessage).toBe(hostile.workflows);
  expect(hostile.providerRequests).toBe(0);
  expect(hostile.workerCrashes).toBe(0);

  expect(scenarios.secrets!.figures.secretsFound).toBe(0);
  expect(scenarios.secrets!.figures.selfTest).toBe(true);
}, 300_000);
