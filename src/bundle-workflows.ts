/**
 * `npm run bundle [-- [--tracing] <file>]`: writes the workflow bundle (default
 * `lib/workflow-bundle.js`) for `TAKEDOWN_WORKFLOW_BUNDLE`, so a worker that restarts polls within
 * seconds instead of bundling again first; `--tracing` bundles the OpenTelemetry workflow
 * interceptors, for workers that export traces. Build it from the same source as the worker it
 * ships with: a bundle from other workflow code would fail to replay running takedowns.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from './telemetry/worker-options';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const tracing = args.includes('--tracing');
  const out = path.resolve(args.find((a) => !a.startsWith('--')) ?? 'lib/workflow-bundle.js');
  const started = performance.now();
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    ...(tracing ? { workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES] } : {}),
  });
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`wrote ${out} (${Math.round(code.length / 1024)} KiB${tracing ? ', with tracing' : ''}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(`bundling the workflows failed: ${(err as Error)?.message ?? err}`);
  process.exit(1);
});
