/**
 * Tracing pieces that need no Temporal server: URL redaction, the tracing variables, the undici
 * instrumentation on the provider HTTP client (undici 7's own API, not only fetch), the OTLP
 * export itself, and the attribute check on workflow spans.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Pool, request as undiciRequest } from 'undici';
import { ProviderHttp } from '../../src/providers/http';
import {
  AttributeCheckingSpanProcessor,
  REDACTED,
  TracingAlreadyInstalledError,
  TracingConfigError,
  installTracing,
  installTracingFromEnv,
  redactRequestUrl,
  tracingSettingsFromEnv,
} from '../../src/telemetry';

describe('redactRequestUrl', () => {
  test.each([
    [
      'an Agora stream key in the path',
      '/na/v1/projects/0f3c/rtls/ingress/streamkeys/sk-live-123',
      { 'url.path': '/na/v1/projects/0f3c/rtls/ingress/streamkeys/{streamKey}', 'url.query': '' },
    ],
    [
      'an encoded stream key, with a base path before it',
      '/base/na/v1/projects/0f3c/rtls/ingress/StreamKeys/a%2Fb%20c',
      { 'url.path': '/base/na/v1/projects/0f3c/rtls/ingress/StreamKeys/{streamKey}', 'url.query': '' },
    ],
    [
      'a session id stays (it is not a credential)',
      '/na/v1/projects/0f3c/rtls/ingress/online-streams/sid-9?channel=c1',
      { 'url.path': '/na/v1/projects/0f3c/rtls/ingress/online-streams/sid-9', 'url.query': '?channel=c1' },
    ],
    [
      "ZEGO's signature in the query",
      '/?Action=DeleteStream&AppId=1&SignatureNonce=ab12&Timestamp=9&Signature=0123456789abcdef0123456789abcdef&SignatureVersion=2.0&RoomId=r',
      {
        'url.path': '/',
        'url.query': `?Action=DeleteStream&AppId=1&SignatureNonce=ab12&Timestamp=9&Signature=${REDACTED}&SignatureVersion=2.0&RoomId=r`,
      },
    ],
    ['credential-like names, encoded or not, with or without a value', '/x?access%5Ftoken=t&api_key&Password=p&n=1', { 'url.path': '/x', 'url.query': `?access%5Ftoken=${REDACTED}&api_key=${REDACTED}&Password=${REDACTED}&n=1` }],
  ])('%s', (_name, path, expected) => {
    const redacted = redactRequestUrl('https://api.example.com', path);
    expect(redacted).toEqual({ ...expected, 'url.full': `https://api.example.com${expected['url.path']}${expected['url.query']}` });
  });

  test('a malformed escape is matched as written, not thrown on', () => {
    expect(redactRequestUrl('http://h', '/streamkeys/%E0%A4%A?x=1&Signature%ZZ=1')['url.full']).toBe('http://h/streamkeys/{streamKey}?x=1&Signature%ZZ=1');
    expect(redactRequestUrl('http://h', '/a%ZZ/streamkeys/k?token%ZZ=1')['url.path']).toBe('/a%ZZ/streamkeys/{streamKey}');
  });
});

describe('tracingSettingsFromEnv', () => {
  test('off without an OTLP endpoint, or when disabled', () => {
    expect(tracingSettingsFromEnv({})).toBeUndefined();
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBeUndefined();
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' })).toBeUndefined();
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  test('on with an endpoint: /v1/traces under the base endpoint, or the traces endpoint as given', () => {
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      endpointVariable: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      url: 'http://collector:4318/v1/traces',
      serviceName: 'takedown-worker',
    });
    expect(
      tracingSettingsFromEnv(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/otlp/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
        'takedown-intake',
      ),
    ).toEqual({ endpointVariable: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', url: 'https://b/otlp/traces', serviceName: 'takedown-intake' });
  });

  test('an endpoint, protocol or exporter it cannot honour is named, one line each; endpoints are not echoed', () => {
    const read = () =>
      tracingSettingsFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317?token=hunter2',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
        OTEL_TRACES_EXPORTER: 'zipkin',
      });
    expect(read).toThrow(TracingConfigError);
    expect(read).toThrow(
      [
        'invalid tracing configuration:',
        '  - OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as http://otel-collector:4318',
        '  - OTEL_EXPORTER_OTLP_TRACES_PROTOCOL is "grpc": this worker exports traces over http/protobuf only',
        '  - OTEL_TRACES_EXPORTER is "zipkin": this worker exports traces with otlp only (or none)',
      ].join('\n'),
    );
    expect(read).not.toThrow(/hunter2/);
  });
});

describe('the undici instrumentation on provider requests (undici 7)', () => {
  // A new one per test: shutting tracing down shuts its exporter down too.
  let exporter: InMemorySpanExporter;
  let server: Server;
  let origin: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} traceparent=${req.headers.traceparent ? 'yes' : 'no'}`);
      res.writeHead(req.url?.includes('missing') ? 404 : 200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  let tracing: ReturnType<typeof installTracing>;
  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    seen.length = 0;
    tracing = installTracing({ spanProcessor: new SimpleSpanProcessor(exporter) });
  });
  afterEach(async () => {
    await tracing.shutdown();
  });

  const inSpan = <T>(fn: () => Promise<T>) => trace.getTracer('test').startActiveSpan('step', async (span) => {
    try {
      return await fn();
    } finally {
      span.end();
    }
  });
  const requestSpans = () => exporter.getFinishedSpans().filter((s) => s.attributes['http.request.method'] !== undefined);

  test('ProviderHttp (an undici Pool) gets a child span of the active one, with the stream key redacted', async () => {
    const http = new ProviderHttp({ provider: 'agora', baseUrl: origin });
    try {
      await inSpan(() => http.send({ operation: 'DeleteStreamKey', method: 'DELETE', path: '/na/v1/projects/app/rtls/ingress/streamkeys/sk-secret-1' }));
    } finally {
      await http.close();
    }
    const [span, ...others] = requestSpans();
    expect(others).toEqual([]);
    const parent = exporter.getFinishedSpans().find((s) => s.name === 'step');
    expect(span!.parentSpanId).toBe(parent!.spanContext().spanId);
    expect(span!.spanContext().traceId).toBe(parent!.spanContext().traceId);
    expect(span!.name).toBe('DELETE');
    expect(span!.attributes).toMatchObject({
      'url.full': `${origin}/na/v1/projects/app/rtls/ingress/streamkeys/{streamKey}`,
      'url.path': '/na/v1/projects/app/rtls/ingress/streamkeys/{streamKey}',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
    });
    expect(JSON.stringify(exporter.getFinishedSpans().map(attributesOf))).not.toContain('sk-secret-1');
    // The request went out once, carrying the trace context.
    expect(seen).toEqual(['DELETE /na/v1/projects/app/rtls/ingress/streamkeys/sk-secret-1 traceparent=yes']);
  });

  test("undici's request() and a Pool used directly are seen too; a 404 marks the span as an error", async () => {
    const pool = new Pool(origin);
    try {
      await inSpan(async () => {
        await (await undiciRequest(`${origin}/a?Signature=abc`)).body.text();
        await (await pool.request({ path: '/missing', method: 'GET' })).body.text();
      });
    } finally {
      await pool.close();
    }
    expect(requestSpans().map((s) => [s.attributes['url.path'], s.attributes['url.query'], s.attributes['http.response.status_code'], s.status.code])).toEqual([
      ['/a', `?Signature=${REDACTED}`, 200, 0],
      ['/missing', '', 404, 2],
    ]);
  });

  test('a request outside any traced operation gets no span and no trace context', async () => {
    await (await undiciRequest(`${origin}/untraced`)).body.text();
    expect(requestSpans()).toEqual([]);
    expect(seen).toEqual(['GET /untraced traceparent=no']);
  });

  test('tracing is installed once per process', () => {
    expect(() => installTracing({ spanProcessor: new SimpleSpanProcessor(exporter) })).toThrow(TracingAlreadyInstalledError);
  });

  test('after shutdown, requests get no span', async () => {
    await tracing.shutdown();
    await inSpan(async () => (await undiciRequest(`${origin}/after`)).body.text());
    expect(requestSpans()).toEqual([]);
  });
});

describe('OTLP export', () => {
  test('installTracingFromEnv posts spans as http/protobuf to <endpoint>/v1/traces, and is off without an endpoint', async () => {
    expect(installTracingFromEnv({})).toBeUndefined();
    const received: { method?: string; url?: string; type?: string; body: Buffer }[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    try {
      const tracing = installTracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}` });
      expect(tracing).toBeDefined();
      trace.getTracer('test').startSpan('RunWorkflow:takedown').end();
      await tracing!.shutdown();
    } finally {
      collector.close();
    }
    expect(received.map((r) => [r.method, r.url, r.type])).toEqual([['POST', '/v1/traces', 'application/x-protobuf']]);
    expect(received[0]!.body.includes(Buffer.from('RunWorkflow:takedown'))).toBe(true);
    expect(received[0]!.body.includes(Buffer.from('takedown-worker'))).toBe(true);
  });
});

describe('AttributeCheckingSpanProcessor', () => {
  test('passes valid attribute values, drops the rest and counts them', () => {
    const exporter = new InMemorySpanExporter();
    const processor = new AttributeCheckingSpanProcessor(new SimpleSpanProcessor(exporter));
    const base = { name: 'RunWorkflow:takedown', resource: Resource.empty(), spanContext: () => ({ traceId: 't', spanId: 's', traceFlags: 1 }), droppedAttributesCount: 1 };
    processor.onEnd({
      ...base,
      attributes: { workflowId: 'w', attempt: 1, ok: true, tags: ['a', 'b'], memo: { a: 1 }, startTime: new Date(0), mixed: ['a', 1], nan: Number.NaN, gone: undefined },
    } as unknown as ReadableSpan);
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes).toEqual({ workflowId: 'w', attempt: 1, ok: true, tags: ['a', 'b'] });
    expect(span!.droppedAttributesCount).toBe(5);
    expect(span!.spanContext().spanId).toBe('s');
  });
});

function attributesOf(span: ReadableSpan) {
  return span.attributes;
}
