/** `npm run intake` as a process: its configuration check at start, and a delivery end to end. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import { isTemporalConnectionVariable } from '../../src/connection';
import { freePort } from '../../src/devstack/dev-server';
import { eventually, testConnection, uniqueName } from '../harness/temporal';
import { newWebhookSecret, signedDecision } from '../unit/intake/senders';

const root = path.resolve(__dirname, '../..');
const main = path.join(root, 'src/intake/main.ts');

/** The `TEMPORAL_*` connection variables of this run (none against the dev server). */
function temporalVariables(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => isTemporalConnectionVariable(e[0]) && e[1] !== undefined));
}

function runIntake(env: Record<string, string>) {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), main], { cwd: root, env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

test('an invalid policy stops the intake at start with one line per problem, naming rule and field', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'intake-'));
  const file = path.join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify({ rules: [{ source: 'hive', action: 'takedown', match: { class: 'nsfw', minScore: 2 } }, { source: 'zego-censor', action: 'review' }] }));
  const hiveToken = 'hive-token-that-must-not-be-echoed';
  const intake = runIntake({ TAKEDOWN_HIVE_TOKEN: hiveToken, ZEGO_CALLBACK_SECRET: 'zego-secret-not-echoed', TAKEDOWN_POLICY_FILE: file, TAKEDOWN_INTAKE_ADDRESS: '127.0.0.1:0' });
  expect(await intake.exited).toBe(2);
  expect(intake.err().trim().split('\n')).toEqual([
    'invalid intake configuration:',
    `  - TAKEDOWN_POLICY_FILE ${file} rules[0].match.minScore: must be from 0 to 1`,
    `  - TAKEDOWN_POLICY_FILE ${file} rules[0].agoraAppId: is required for hive verdicts (the Agora App ID their users are in)`,
    `  - TAKEDOWN_POLICY_FILE ${file} rules[1].deadline: is required for a review rule (a duration such as 10m)`,
    `  - TAKEDOWN_POLICY_FILE ${file} rules[1].onTimeout: is required for a review rule ("approve" or "reject")`,
  ]);
  expect(intake.err() + intake.out()).not.toMatch(/hive-token-that|zego-secret-not/);
});

test('started with a valid configuration it accepts a decision, serves metrics, logs JSON without secrets and stops on SIGTERM', async () => {
  const secret = newWebhookSecret();
  const [port, metricsPort] = [await freePort(), await freePort()];
  const taskQueue = uniqueName('intake-main');
  const intake = runIntake({
    TAKEDOWN_INTAKE_SECRET: secret,
    TAKEDOWN_INTAKE_ADDRESS: `127.0.0.1:${port}`,
    TAKEDOWN_INTAKE_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    // The run's TLS and API key settings too (the cluster suite's mTLS), as an operator would give them.
    ...temporalVariables(),
    TEMPORAL_ADDRESS: process.env.TAKEDOWN_TEST_TEMPORAL_ADDRESS!,
    TAKEDOWN_TASK_QUEUE: taskQueue,
  });
  const connection = await Connection.connect(testConnection().connectionOptions);
  try {
    await eventually(() => expect(intake.out()).toContain('"message":"intake started"'), 20_000);
    const streamKey = uniqueName('secret-stream-key');
    const decision = signedDecision(secret, { violationId: uniqueName('clf'), target: { provider: 'agora', appId: 'app1', region: 'eu', streamKey } });
    const res = await request(`http://127.0.0.1:${port}/v1/decisions`, { method: 'POST', body: decision.body, headers: decision.headers });
    const answer = (await res.body.json()) as { workflowId: string; started: boolean };
    expect([res.statusCode, answer.started]).toEqual([202, true]);
    // No worker polls this queue: the takedown waits there; it is terminated below.
    const description = await new Client({ connection }).workflow.getHandle(answer.workflowId).describe();
    expect([description.type, description.taskQueue]).toEqual(['takedown', taskQueue]);

    const metrics = await (await request(`http://127.0.0.1:${metricsPort}/metrics`)).body.text();
    expect(metrics).toContain('takedown_intake_verdicts_total{source="decision",action="takedown"} 1');
    expect(metrics).toMatch(/takedown_intake_answer_seconds_count\{route="\/v1\/decisions",status="202"\} 1/);

    intake.child.kill('SIGTERM');
    expect(await intake.exited).toBe(0);
    const lines = intake.out().trim().split('\n').map((l) => JSON.parse(l) as { message: string });
    expect(lines.map((l) => l.message)).toEqual(['intake started', 'decision accepted', 'intake stopped']);
    expect(intake.out()).not.toContain(streamKey);
    expect(intake.out()).not.toContain(secret.slice(6));
    await new Client({ connection }).workflow.getHandle(answer.workflowId).terminate('test over');
  } finally {
    intake.child.kill('SIGKILL');
    await connection.close();
  }
});
