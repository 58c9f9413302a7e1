/**
 * Bundles carry the tracing workflow interceptors. Histories recorded before they existed (the
 * committed ones) must replay with them, or turning tracing on would break running takedowns.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES, tracingWorkerOptions } from '../../src/telemetry';
import { quietRuntime } from '../harness/temporal';

const dir = path.join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

let workflowBundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  quietRuntime();
  workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    logger: silent,
  });
});

test('the bundle includes the tracing interceptor module', () => {
  expect(WORKFLOW_INTERCEPTOR_MODULES).toEqual([require.resolve('../../src/telemetry/workflow-interceptors')]);
  expect(workflowBundle.code).toContain('RunWorkflow');
});

test('histories recorded without tracing replay deterministically with it', async () => {
  expect(files.length).toBeGreaterThan(0);
  const histories = files.map((file) => ({ workflowId: file, history: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown }));
  const results: [string, string | undefined][] = [];
  const options = { workflowBundle, replayName: 'takedown-tracing-replay', sinks: tracingWorkerOptions(undefined).sinks };
  for await (const r of Worker.runReplayHistories(options, histories as never)) results.push([r.workflowId, r.error?.name]);
  expect(results).toEqual(files.map((f) => [f, undefined]));
});
