/**
 * One takedown is one trace: the client's start, the workflow run, each step's activity (every
 * attempt) and each attempt's provider request, linked parent to child, on the real worker setup
 * against the dev server and the sandbox. Spans are caught by an in-memory exporter.
 */
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Runtime } from '@temporalio/worker';
import { DEMO_AGORA_ACCOUNT, DEMO_AGORA_APP_ID, DEMO_ZEGO_APP } from '../../src/sandbox/demo-accounts';
import { createLogger } from '../../src/takedown-worker/logging';
import { REDACTED, installTracing, type Tracing } from '../../src/telemetry';
import type { TakedownRequest } from '../../src/workflows/request';
import { startStack, type Stack } from '../harness/stack';
import { eventually, uniqueName } from '../harness/temporal';

const exporter = new InMemorySpanExporter();
/** JSON log lines the worker wrote (stdout is captured, not printed). */
const logLines: Record<string, unknown>[] = [];
let tracing: Tracing;
let stack: Stack;

beforeAll(async () => {
  // The worker's own JSON logger, so the test reads the lines operators get.
  const logger = createLogger('INFO', 'json');
  const write = process.stdout.write.bind(process.stdout);
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!text.startsWith('{"time"')) return write(chunk, ...(rest as []));
    for (const line of text.split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  });
  Runtime.install({ logger });
  tracing = installTracing({ spanProcessor: new SimpleSpanProcessor(exporter) });
  stack = await startStack({ tracing });
});
afterAll(async () => {
  await stack?.teardown();
  await tracing?.shutdown();
  jest.restoreAllMocks();
});

/** The trace's spans as an indented outline, children in start order. */
function outline(spans: ReadableSpan[]): string[] {
  const children = new Map<string | undefined, ReadableSpan[]>();
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  for (const span of spans) {
    const parent = span.parentSpanId !== undefined && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    const kids = (children.get(parent) ?? []).sort((a, b) => hr(a.startTime) - hr(b.startTime));
    for (const span of kids) {
      lines.push(`${'  '.repeat(depth)}${span.name}`);
      walk(span.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}
const hr = ([s, ns]: [number, number]) => s * 1e9 + ns;

/** Every span of the trace that holds the start of workflow `workflowId`, once its run span has ended. */
async function traceOf(workflowId: string): Promise<ReadableSpan[]> {
  return eventually(() => {
    const spans = exporter.getFinishedSpans();
    const start = spans.find((s) => s.name === 'StartWorkflow:takedown' && s.attributes.temporalWorkflowId === workflowId);
    expect(start).toBeDefined();
    const traceId = start!.spanContext().traceId;
    const trace = spans.filter((s) => s.spanContext().traceId === traceId);
    expect(trace.map((s) => s.name)).toContain('RunWorkflow:takedown');
    return trace;
  }, 15_000);
}

const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const spanId = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

test('a ZEGO takedown is one trace: start → workflow → each step → each attempt → its HTTP request', async () => {
  const roomId = uniqueName('room');
  const streamId = uniqueName('stream');
  await stack.sandbox.control.seedZego({
    appId: DEMO_ZEGO_APP.appId,
    rooms: [{ roomId, users: ['host-42'], streams: [{ streamId, userId: 'host-42' }] }],
    mixTasks: [{ taskId: `${roomId}-mix`, ownerUserId: 'mix-owner', inputStreamIds: [streamId] }],
  });
  await stack.sandbox.control.injectFault({ provider: 'zego', operation: 'DeleteStream', count: 1, answer: { zegoCode: 1 } });
  const request: TakedownRequest = {
    violationId: uniqueName('clf'),
    target: { provider: 'zego', appId: DEMO_ZEGO_APP.appId, roomId, streamId, userId: 'host-42', mixTasks: [{ taskId: `${roomId}-mix`, userId: 'mix-owner' }] },
  };
  const handle = await stack.start(request);
  const result = await handle.result();
  expect(result.steps.map((s) => [s.action, s.attempts])).toEqual([
    ['DeleteStream', 2],
    ['StopMix', 1],
    ['KickoutUser', 1],
  ]);

  const spans = await traceOf(handle.workflowId);
  expect(outline(spans)).toEqual([
    'StartWorkflow:takedown',
    '  RunWorkflow:takedown',
    '    StartActivity:prepareTakedown',
    '      RunActivity:prepareTakedown',
    '    StartActivity:zegoDeleteStream',
    '      RunActivity:zegoDeleteStream',
    '        GET',
    '      RunActivity:zegoDeleteStream',
    '        GET',
    '    StartActivity:zegoStopMix',
    '      RunActivity:zegoStopMix',
    '        POST',
    '    StartActivity:zegoKickoutUser',
    '      RunActivity:zegoKickoutUser',
    '        GET',
  ]);
  // One root; every other span's parent is in the trace.
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  expect(spans.filter((s) => s.parentSpanId === undefined).map((s) => s.name)).toEqual(['StartWorkflow:takedown']);
  expect(spans.filter((s) => s.parentSpanId !== undefined && !ids.has(s.parentSpanId))).toEqual([]);

  // The first DeleteStream attempt failed and says so; the workflow and its run are named.
  const [failed, retried] = byName(spans, 'RunActivity:zegoDeleteStream').sort((a, b) => hr(a.startTime) - hr(b.startTime));
  expect(failed!.status.code).toBe(2); // ERROR
  expect(retried!.status.code).toBe(1); // OK
  for (const run of byName(spans, 'RunActivity:zegoKickoutUser')) expect(run.attributes).toMatchObject({ temporalWorkflowId: handle.workflowId, run_id: handle.firstExecutionRunId });

  // Each request span is the provider call itself, with the signature redacted.
  const requests = spans.filter((s) => s.attributes['http.request.method'] !== undefined).sort((a, b) => hr(a.startTime) - hr(b.startTime));
  expect(requests.map((s) => /[?&]Action=(\w+)/.exec(String(s.attributes['url.query']))?.[1])).toEqual(['DeleteStream', 'DeleteStream', 'StopMix', 'KickoutUser']);
  const origin = new URL(stack.sandbox.url).origin;
  for (const request of requests) {
    expect(request.attributes['url.full']).toMatch(new RegExp(`^${origin}/\\?`));
    expect(request.attributes['url.query']).toContain(`&Signature=${REDACTED}&`);
    expect(request.attributes['http.response.status_code']).toBe(200);
  }
  const everything = JSON.stringify(spans.map(serialise));
  expect(everything).not.toMatch(/Signature=(?!REDACTED)/);
  expect(everything).not.toContain(DEMO_ZEGO_APP.serverSecret);

  // The provider call's log lines carry the trace and the attempt's span.
  const succeeded = logLines.find((l) => l.message === 'provider call succeeded' && l.workflowId === handle.workflowId && l.action === 'KickoutUser');
  expect(succeeded).toMatchObject({ trace_id: spans[0]!.spanContext().traceId, span_id: spanId(byName(spans, 'RunActivity:zegoKickoutUser')[0]) });
  const failure = logLines.find((l) => l.message === 'provider call failed' && l.workflowId === handle.workflowId);
  expect(failure).toMatchObject({ trace_id: spans[0]!.spanContext().traceId, span_id: spanId(failed) });

  // Every step went through its queue's pacer, which is not traced: no span of any trace names it.
  const pacerSpans = exporter.getFinishedSpans().filter((s) => /providerPacer|reserveSlots|holdOff/.test(`${s.name} ${JSON.stringify(s.attributes)}`));
  expect(pacerSpans).toEqual([]);
});

test('an Agora takedown names no stream key in any span: the key is redacted from the request path', async () => {
  const streamKey = uniqueName('key');
  const channel = uniqueName('channel');
  await stack.sandbox.control.seedAgora({ appId: DEMO_AGORA_APP_ID, region: 'na', streamKeys: [{ streamKey, channel, uid: '1001', live: true, port: true }] });
  const handle = await stack.start({ violationId: uniqueName('clf'), target: { provider: 'agora', appId: DEMO_AGORA_APP_ID, region: 'na', streamKey, channel } });
  expect((await handle.result()).outcome).toBe('enforced');

  const spans = await traceOf(handle.workflowId);
  const keyDeletion = byName(spans, 'RunActivity:agoraDeleteStreamKey');
  expect(keyDeletion).toHaveLength(1);
  const requests = spans.filter((s) => s.parentSpanId === spanId(keyDeletion[0]));
  expect(requests.map((s) => [s.name, s.attributes['url.path']])).toEqual([
    ['DELETE', `/na/v1/projects/${DEMO_AGORA_APP_ID}/rtls/ingress/streamkeys/{streamKey}`],
  ]);
  expect(byName(spans, 'RunActivity:agoraForceDisconnect').length).toBeGreaterThanOrEqual(1);

  const everything = JSON.stringify(spans.map(serialise));
  expect(everything).not.toContain(streamKey);
  expect(everything).not.toContain(encodeURIComponent(streamKey));
  expect(everything).not.toContain(DEMO_AGORA_ACCOUNT.customerSecret);
  expect(everything).not.toContain(Buffer.from(`${DEMO_AGORA_ACCOUNT.customerId}:${DEMO_AGORA_ACCOUNT.customerSecret}`).toString('base64'));
});

/** What an exporter would send of a span. */
function serialise(span: ReadableSpan) {
  return { name: span.name, attributes: span.attributes, events: span.events, status: span.status, links: span.links, resource: span.resource.attributes };
}
