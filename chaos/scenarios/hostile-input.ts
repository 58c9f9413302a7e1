/**
 * Scenario 5: thousands of generated malformed and hostile inputs through the validation layer
 * (`validateTakedownRequest`), and a sample of them through real workflows. Each must be rejected
 * as `InvalidRequest` with a clear message, with zero provider requests, and no worker may crash.
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { validateTakedownRequest } from '../../src/workflows/request';
import type { ChaosContext } from '../lib/context';
import { hostileInput, type HostileInput } from '../lib/hostile-inputs';
import { expectEqual, type Check, type ScenarioResult } from '../lib/result';
import { bump } from '../../harness/stats';

/** The workflow's failure message for a rejected request (src/workflows/takedown.ts). */
const messageOf = (problems: readonly string[]) => `invalid takedown request: ${problems.join('; ')}`;
/** A clear message is readable: bounded, one `path: problem` per issue, no echo of huge input. */
const MAX_MESSAGE_CHARS = 4_096;
/** Largest workflow input sent through Temporal (its blob limit is 2 MB). */
const MAX_WORKFLOW_INPUT_BYTES = 512 * 1024;

interface ValidationFigures {
  inputs: number;
  rejected: number;
  byKind: Record<string, number>;
  maxMessageChars: number;
  maxMs: number;
}

/** Object.prototype as it was; anything added or changed means a request polluted it. */
function prototypeFingerprint(): string {
  return Object.getOwnPropertyNames(Object.prototype).sort().join(',') + String(({} as Record<string, unknown>).polluted) + String(({} as Record<string, unknown>).isAdmin);
}

/** Asserts everything a rejection must be; throws (failing the property) otherwise. */
function assertRejected(sample: HostileInput, figures: ValidationFigures, pristine: string): string {
  const t0 = performance.now();
  const validation = validateTakedownRequest(sample.input);
  const ms = performance.now() - t0;
  figures.maxMs = Math.max(figures.maxMs, ms);
  if (validation.ok) throw new Error(`accepted a request mutated by ${sample.kinds.join(' + ')}`);
  if (validation.problems.length === 0) throw new Error('rejected without naming a problem');
  for (const problem of validation.problems) {
    if (!/^[^:\n]{1,200}: \S/.test(problem)) throw new Error(`problem is not "path: message": ${JSON.stringify(problem.slice(0, 200))}`);
  }
  const message = messageOf(validation.problems);
  figures.maxMessageChars = Math.max(figures.maxMessageChars, message.length);
  if (message.length > MAX_MESSAGE_CHARS) throw new Error(`message of ${message.length} characters for ${sample.kinds.join(' + ')}: ${message.slice(0, 160)}…`);
  if (ms > 1_000) throw new Error(`validation took ${Math.round(ms)} ms for ${sample.kinds.join(' + ')}`);
  if (prototypeFingerprint() !== pristine) throw new Error(`Object.prototype changed after ${sample.kinds.join(' + ')}`);
  return message;
}

/** Property run over the validation layer; returns figures and the failure if any. */
function validationProperty(ctx: ChaosContext, runs: number): { figures: ValidationFigures; failure?: string } {
  const figures: ValidationFigures = { inputs: 0, rejected: 0, byKind: {}, maxMessageChars: 0, maxMs: 0 };
  const pristine = prototypeFingerprint();
  const details = fc.check(
    fc.property(hostileInput, (sample) => {
      figures.inputs++;
      for (const kind of sample.kinds) bump(figures.byKind, kind);
      assertRejected(sample, figures, pristine);
      figures.rejected++;
    }),
    { numRuns: runs, seed: ctx.seed, endOnFailure: true },
  );
  if (!details.failed) return { figures };
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return { figures, failure: `${error} (fast-check seed ${details.seed}, path ${details.counterexamplePath})` };
}

/** Inputs that survive a trip through JSON (what Temporal carries), small enough for a workflow. */
function workflowSamples(ctx: ChaosContext, count: number): unknown[] {
  const out: unknown[] = [];
  for (const sample of fc.sample(hostileInput, { numRuns: count * 4, seed: ctx.seed + 1 })) {
    if (out.length >= count) break;
    let text: string | undefined;
    try {
      text = JSON.stringify(sample.input);
    } catch {
      continue;
    }
    if (text === undefined || Buffer.byteLength(text) > MAX_WORKFLOW_INPUT_BYTES) continue;
    const input: unknown = JSON.parse(text);
    if (!validateTakedownRequest(input).ok) out.push(input);
  }
  return out;
}

export async function hostileInputScenario(ctx: ChaosContext): Promise<ScenarioResult> {
  const began = performance.now();
  const { inputs, workflows } = ctx.sizes.hostile;
  const property = validationProperty(ctx, inputs);
  ctx.log(`validation layer: ${property.figures.rejected} of ${property.figures.inputs} generated inputs rejected${property.failure ? `; FAILED: ${property.failure}` : ''}`);

  // The same generator through real workflows, started raw as the CLI would (no client-side check).
  const samples = workflowSamples(ctx, workflows);
  const log = await ctx.sandbox.control.requests();
  const logAfter = log[log.length - 1]?.seq ?? 0;
  const crashesBefore = ctx.mainWorkers.flatMap((w) => w.crashes).length;
  const prefix = `chaos-${ctx.runId}-hostile-`;
  const handles = [];
  for (let i = 0; i < samples.length; i++) {
    handles.push(
      await ctx.temporal.retry(() =>
        ctx.temporal.client.workflow.start('takedown', { taskQueue: ctx.mainQueue, workflowId: `${prefix}${i}`, args: [samples[i]] }),
      ),
    );
  }
  const allClosed = await ctx.temporal.waitUntilClosed(`WorkflowId STARTS_WITH "${prefix}"`, samples.length, 120_000);
  const records = await ctx.temporal.retry(() => ctx.temporal.collect(`WorkflowId STARTS_WITH "${prefix}"`));
  const invalid = records.filter((r) => r.status === 'FAILED' && r.failure?.type === 'InvalidRequest');
  const clear = invalid.filter((r) => r.failure!.message.startsWith('invalid takedown request: ') && r.failure!.message.length <= MAX_MESSAGE_CHARS + 64);
  const attribute = invalid.filter((r) => r.searchAttributes.TakedownOutcome === 'InvalidRequest').length;
  let workflowTaskFailures = 0;
  for (const handle of handles) {
    const history = await ctx.temporal.retry(() => handle.fetchHistory());
    workflowTaskFailures += (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
  }
  const providerRequests = (await ctx.sandbox.control.requests()).filter((e) => e.seq > logAfter).length;
  const crashes = ctx.mainWorkers.flatMap((w) => w.crashes).length - crashesBefore;
  const alive = ctx.mainWorkers.filter((w) => w.isReady).length;
  const longest = Math.max(0, ...records.map((r) => r.failure?.message.length ?? 0));
  const example = invalid.map((r) => r.failure!.message).sort((a, b) => a.length - b.length)[Math.floor(invalid.length / 2)] ?? '(none)';

  const checks: Check[] = [
    { name: 'validation layer: every generated input rejected with a clear message', ok: !property.failure && property.figures.rejected === inputs, detail: property.failure ?? `${property.figures.rejected} of ${inputs}` },
    expectEqual('workflows: hostile inputs sent through real workflows', samples.length, workflows),
    { name: 'workflows: all closed in time', ok: allClosed, detail: String(allClosed) },
    expectEqual('workflows: failed InvalidRequest with a clear message', clear.length, samples.length),
    expectEqual('workflows: TakedownOutcome = InvalidRequest', attribute, samples.length),
    expectEqual('workflows: workflow task failures (code that threw)', workflowTaskFailures, 0),
    expectEqual('workflows: provider requests', providerRequests, 0),
    expectEqual('worker crashes', crashes, 0),
    expectEqual('workers still polling', alive, ctx.mainWorkers.length),
  ];
  const kinds = Object.entries(property.figures.byKind).sort((a, b) => b[1] - a[1]);
  return {
    id: 'hostile-input',
    title: '5. Hostile input (fast-check through validateTakedownRequest, a sample through workflows)',
    durationMs: performance.now() - began,
    rows: [
      ['generated inputs through the validation layer', String(property.figures.inputs)],
      ['rejected with a clear message', String(property.figures.rejected)],
      ['longest rejection message / slowest validation', `${property.figures.maxMessageChars} characters / ${property.figures.maxMs.toFixed(1)} ms`],
      ['inputs through real workflows', String(samples.length)],
      ['workflows failed InvalidRequest', `${invalid.length} (${clear.length} with a clear message; longest ${longest} characters)`],
      ['provider requests during the workflow run', String(providerRequests)],
      ['worker crashes / workflow task failures', `${crashes} / ${workflowTaskFailures}`],
      ['example message (median length)', example.length > 300 ? `${example.slice(0, 300)}…` : example],
      ['mutations applied (kind: count)', kinds.map(([k, v]) => `${k}: ${v}`).join(', ')],
    ],
    figures: {
      inputs: property.figures.inputs,
      rejected: property.figures.rejected,
      validationFailure: property.failure,
      maxMessageChars: property.figures.maxMessageChars,
      maxValidationMs: Number(property.figures.maxMs.toFixed(2)),
      mutations: property.figures.byKind,
      workflows: samples.length,
      workflowsInvalidRequest: invalid.length,
      workflowsClearMessage: clear.length,
      providerRequests,
      workerCrashes: crashes,
      workflowTaskFailures,
    },
    checks,
  };
}
