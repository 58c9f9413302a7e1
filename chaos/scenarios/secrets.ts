/**
 * The secrets grep: ZEGO ServerSecrets and Agora customer secrets must appear in no workflow
 * input, history, id, search attribute or memo, no worker log, and no answer or request the
 * sandbox saw. Runs last, over what every other scenario left.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../src/devstack/temporal-cli';
import type { ChaosContext } from '../lib/context';
import { expectAtLeast, expectEqual, type ScenarioResult } from '../lib/result';
import { SecretScanner } from '../lib/secrets';

const run = promisify(execFile);

/** The scanner must find a secret planted the ways a leak would look; otherwise a clean result means nothing. */
function selfTest(secret: string): boolean {
  const scanner = new SecretScanner({ probe: secret });
  scanner.scanObject('plain', { message: `failed with ${secret}` });
  scanner.scanObject('payload bytes', { payloads: [{ data: new TextEncoder().encode(JSON.stringify({ key: secret })) }] });
  scanner.scanText('base64 payload', JSON.stringify({ data: Buffer.from(JSON.stringify({ s: secret })).toString('base64') }));
  scanner.scanText('basic auth', `authorization: Basic ${Buffer.from(`id:${secret}`).toString('base64')}`);
  return new Set(scanner.hits.map((h) => h.source)).size === 4;
}

export async function secretsScan(ctx: ChaosContext): Promise<ScenarioResult> {
  const began = performance.now();
  const { zegoServerSecret, agoraCustomerSecret, agoraCustomerId } = ctx.secrets;
  const basicToken = Buffer.from(`${agoraCustomerId}:${agoraCustomerSecret}`).toString('base64');
  const scanner = new SecretScanner({ 'ZEGO ServerSecret': zegoServerSecret, 'Agora customer secret': agoraCustomerSecret }, { 'Agora Basic auth token': basicToken });
  const selfTestOk = selfTest(zegoServerSecret);

  // Every workflow of the run: ids, search attributes, memos (list), and full histories.
  const infos: WorkflowExecutionInfo[] = [];
  for await (const info of ctx.temporal.client.workflow.list()) infos.push(info);
  for (const info of infos) {
    scanner.scanObject('workflow ids, search attributes, memos', { id: info.workflowId, sa: info.searchAttributes, memo: info.memo, raw: info.raw });
  }
  let next = 0;
  let events = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < infos.length; i = next++) {
        const info = infos[i]!;
        const history = await ctx.temporal.retry(() => ctx.temporal.client.workflow.getHandle(info.workflowId, info.runId).fetchHistory());
        events += history.events?.length ?? 0;
        scanner.scanObject('workflow histories (inputs, results, failures, heartbeats, summaries)', history);
      }
    }),
  );
  // Describe (current details, user metadata) for a sample, and what an operator sees with the CLI.
  const cli = findTemporalCli();
  const sample = [...new Map(infos.map((i) => [i.workflowId.split('/').slice(0, 2).join('/') + i.status.name, i])).values()].slice(0, 8);
  for (const info of sample) {
    const description = await ctx.temporal.retry(() => ctx.temporal.client.workflow.getHandle(info.workflowId, info.runId).describe());
    scanner.scanObject('workflow descriptions (current details, summaries)', description.raw);
    if (cli) {
      const { stdout } = await run(cli.path, ['workflow', 'show', '--address', ctx.temporal.address, '--workflow-id', info.workflowId, '--run-id', info.runId, '--output', 'json'], { maxBuffer: 64 * 1024 * 1024 });
      scanner.scanText('temporal workflow show --output json', stdout);
    }
  }

  // Worker logs: every generation's stdout and stderr.
  const logFiles = readdirSync(ctx.logDir).map((f) => path.join(ctx.logDir, f));
  for (const file of logFiles) scanner.scanText('worker stdout/stderr logs', readFileSync(file, 'utf8'));

  // What the sandbox saw: answers it wrote (error messages included), URLs, its log and state.
  for (const text of ctx.sandbox.captured) scanner.scanText('sandbox answers and request URLs', text);
  scanner.scanText('sandbox request log and state', JSON.stringify(await ctx.sandbox.control.requests()) + JSON.stringify(await ctx.sandbox.control.state()));

  const bySource = new Map<string, Set<string>>();
  for (const hit of scanner.hits) bySource.set(hit.source, (bySource.get(hit.source) ?? new Set()).add(hit.secret));
  const found = [...bySource].map(([source, secrets]) => `${source}: ${[...secrets].join(', ')}`).join('; ');
  const mb = (chars: number) => `${(chars / 1e6).toFixed(2)} M characters`;
  return {
    id: 'secrets',
    title: 'Secrets grep (ZEGO ServerSecret, Agora customer secret)',
    durationMs: performance.now() - began,
    rows: [
      ['secrets found', found ? `${scanner.hits.length}: ${found}` : '0'],
      ['workflows scanned (ids, search attributes, memos, histories)', `${infos.length} (${events} history events)`],
      ['operator views scanned (describe + temporal workflow show --output json)', `${sample.length} workflows${cli ? '' : ' (describe only: no CLI)'}`],
      ['worker log files scanned', String(logFiles.length)],
      ['sandbox answers and URLs scanned', String(ctx.sandbox.captured.length)],
      ...Object.entries(scanner.scanned).map(([source, chars]): [string, string] => [`scanned: ${source}`, mb(chars)]),
      ['scanner self-test (finds a planted secret as text, payload bytes, base64, Basic auth)', selfTestOk ? 'passed' : 'FAILED'],
    ],
    figures: { secretsFound: scanner.hits.length, hits: scanner.hits.slice(0, 20), workflows: infos.length, historyEvents: events, logFiles: logFiles.length, scannedChars: scanner.scanned, selfTest: selfTestOk },
    checks: [
      expectEqual('secrets found', scanner.hits.length, 0),
      { name: 'scanner self-test', ok: selfTestOk, detail: selfTestOk ? 'passed' : 'failed' },
      expectAtLeast('workflows scanned', infos.length, 1),
      expectAtLeast('worker log files scanned', logFiles.length, 2),
    ],
  };
}
