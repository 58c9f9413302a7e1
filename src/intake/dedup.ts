/**
 * Starting a workflow once per delivery: a redelivery of the same verdict (same source key) joins
 * what the first delivery started or joined, and never starts another workflow, also after that
 * workflow completed.
 *
 * Why this design. The contract fixes the workflow ids: a takedown keeps its standard id, named
 * after its target (`takedown/zego/<appId>/<roomId>/<streamId>` …), and a review is
 * `review/<source>/<source key>`. Workflow id policies alone cannot de-duplicate takedowns by source
 * key: after a takedown completed, `REJECT_DUPLICATE` on its target id would refuse every *new*
 * violation of that target (the stream may be back), and `ALLOW_DUPLICATE` would repeat the old one.
 * What tells deliveries apart is the start call's **request id**, which Temporal keeps with the
 * execution it created. Measured on the dev server (CLI 1.9.1, server 1.32):
 *   - a start that repeats the request id of the start that created the current run gets that run
 *     back (running or closed), with no new run, even 20 at once, and with `started: true` again;
 *   - with conflict policy USE_EXISTING and `onConflictOptions.attachRequestId`, a start that joins
 *     a running execution has its request id attached to it: a later start with that id gets the
 *     same run back after it completed (`started: false`), and `describe` lists the id among the
 *     run's `requestIdInfos`;
 *   - `REJECT_DUPLICATE` on a closed run answers ALREADY_EXISTS ("Workflow execution already
 *     finished"), which the client raises as WorkflowExecutionAlreadyStartedError;
 *   - only the current run's request ids count: once a newer run holds the id, the old request id
 *     would start yet another run.
 * So each delivery starts with a request id derived from its source and key
 * ({@link deliveryRequestId}) and:
 *   1. looks for that request id on the current run of the workflow id, and when that run is closed,
 *      on the earlier runs of the id (newest first, a bounded look-back): found, it answers that run,
 *      `started: false`, and starts nothing;
 *   2. else starts with conflict policy FAIL: accepted means it started the run (`started: true`);
 *      concurrent copies of the same delivery carry the same request id and get the same run;
 *   3. a running execution of another delivery makes that fail: it joins it with USE_EXISTING and
 *      attaches its request id (`started: false`).
 * Reviews use the same steps with reuse policy REJECT_DUPLICATE: their id is per source key already.
 * Limits: two copies of one delivery that arrive at the same instant may both answer
 * `started: true` (for one run). A redelivery after the look-back (runs of the last 24 h, ten at
 * most) starts the takedown again; it then finds its work already done at the provider.
 */
import { createHash } from 'node:crypto';
import { type Client, type WorkflowExecutionDescription, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';

/** How far back step 1 looks for an earlier delivery among closed runs of the same workflow id. */
export interface LookBack {
  /** @default 10 */
  runs: number;
  /** @default 24 hours */
  ms: number;
}
export const DEFAULT_LOOK_BACK: LookBack = { runs: 10, ms: 24 * 3_600_000 };

/** The start request id of a delivery: UUID-shaped text from sha256(source, key). */
export function deliveryRequestId(source: string, key: string): string {
  const hex = createHash('sha256').update(`takedown-intake\u0000${source}\u0000${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export interface StartedOnce {
  workflowId: string;
  runId: string;
  /** False when an earlier delivery started it, or it was already running for another verdict. */
  started: boolean;
}

/** One start call with the delivery's request id and the given conflict policy. */
export type StartAttempt = (conflictPolicy: 'FAIL' | 'USE_EXISTING') => Promise<{ firstExecutionRunId: string }>;

function holdsRequestId(description: WorkflowExecutionDescription, requestId: string): boolean {
  const infos = description.raw.workflowExtendedInfo?.requestIdInfos;
  return infos !== null && infos !== undefined && Object.hasOwn(infos, requestId);
}

async function describe(client: Client, workflowId: string, runId?: string): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await client.workflow.getHandle(workflowId, runId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The run an earlier delivery with this request id started or joined, if any. */
export async function findEarlierDelivery(client: Client, workflowId: string, requestId: string, lookBack: LookBack = DEFAULT_LOOK_BACK): Promise<string | undefined> {
  const current = await describe(client, workflowId);
  if (!current) return undefined;
  if (holdsRequestId(current, requestId)) return current.runId;
  // A running execution is joined by the start; a delivery is never split over two live runs.
  if (current.status.name === 'RUNNING' || lookBack.runs <= 0) return undefined;
  // Visibility queries quote the id; an id that would need escaping skips the look-back.
  if (/["\\]/.test(workflowId)) return undefined;
  const since = new Date(Date.now() - lookBack.ms).toISOString();
  let looked = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}" AND StartTime > "${since}"`, pageSize: lookBack.runs + 1 })) {
    if (run.runId === current.runId) continue;
    if (++looked > lookBack.runs) break;
    const earlier = await describe(client, workflowId, run.runId);
    if (earlier && holdsRequestId(earlier, requestId)) return run.runId;
  }
  return undefined;
}

/** Starts, joins or finds the delivery's workflow (steps in the module comment). */
export async function startOnce(client: Client, workflowId: string, requestId: string, start: StartAttempt, lookBack?: LookBack): Promise<StartedOnce> {
  const earlier = await findEarlierDelivery(client, workflowId, requestId, lookBack);
  if (earlier) return { workflowId, runId: earlier, started: false };
  try {
    return { workflowId, runId: (await start('FAIL')).firstExecutionRunId, started: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  try {
    return { workflowId, runId: (await start('USE_EXISTING')).firstExecutionRunId, started: false };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // REJECT_DUPLICATE (reviews): the closed execution keeps the id; answer with it.
    const closed = await describe(client, workflowId);
    if (!closed) throw err;
    return { workflowId, runId: closed.runId, started: false };
  }
}
