import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { codeLookup } from '../../../src/providers/code-table';
import {
  ProviderRequestError,
  ProviderResponseError,
  ProviderTransportError,
} from '../../../src/providers/errors';
import { MAX_ANSWER_BYTES, parseRetryAfter, ProviderHttp, resolveTimeouts } from '../../../src/providers/http';
import { isWellFormed, rawAnswer, redact, truncateUtf8 } from '../../../src/providers/text';
import { DEFAULT_HTTP_TIMEOUTS, type CodeRow } from '../../../src/providers/types';
import { encodeQuery } from '../../../src/providers/url';
import { mockAgent, providerErrorOf, rejectionOf } from './mock';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 2, 3, 4, 5);
  it.each([
    ['0', 0],
    ['7', 7_000],
    [' 120 ', 120_000],
    [new Date(now + 30_000).toUTCString(), 30_000],
    ['Friday, 02-Jan-26 03:04:15 GMT', 10_000],
    [new Date(now - 1_000).toUTCString(), 0],
  ])('reads %j as %d ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([undefined, '', 'soon', '-5', '1.5', '2026-01-02', 'Fri Jan  2 03:04:15 2026', '99999999999999999999'])(
    'ignores %j',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );
});

describe('text helpers', () => {
  it('redacts secrets as sent and percent-encoded', () => {
    expect(redact('a s3/cr+t b s3%2Fcr%2Bt c', ['s3/cr+t'])).toBe('a <redacted> b <redacted> c');
    expect(redact('nothing here', ['', 'x y'])).toBe('nothing here');
  });

  it('truncates by UTF-8 bytes without splitting a character', () => {
    expect(truncateUtf8('abc', 3)).toBe('abc');
    const cut = truncateUtf8('é'.repeat(10), 8);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(8);
    expect(cut).toBe('éé…');
  });

  it('redacts before truncating, so a cut cannot leave part of a secret', () => {
    const secret = 'S'.repeat(40);
    const raw = rawAnswer(`${'x'.repeat(2030)}${secret}`, [secret]);
    expect(raw).not.toContain('SSSS');
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(2048);
  });

  it('spots lone surrogates', () => {
    expect(isWellFormed('ok 🚫')).toBe(true);
    expect(isWellFormed('bad \uD800')).toBe(false);
    expect(isWellFormed('bad \uDC00 too')).toBe(false);
  });

  it('encodes query keys and values strictly', () => {
    expect(encodeQuery([['UserId[]', 'a b'], ['X', '+&=/?#é']])).toBe('UserId%5B%5D=a%20b&X=%2B%26%3D%2F%3F%23%C3%A9');
  });
});

describe('codeLookup', () => {
  const row = (code: number, operations?: string[]): CodeRow => ({
    code,
    meaning: `m${code}`,
    classification: 'rejected',
    operations,
    source: 'test',
  });

  it('prefers a row naming the operation over a generic one', () => {
    const specific = row(1, ['A']);
    const generic = row(1);
    const lookup = codeLookup([generic, specific]);
    expect(lookup('A', 1)).toBe(specific);
    expect(lookup('B', 1)).toBe(generic);
    expect(lookup('A', 2)).toBeUndefined();
  });

  it('refuses an ambiguous table', () => {
    expect(() => codeLookup([row(1), row(1)])).toThrow(/two rows for code 1/);
    expect(() => codeLookup([row(1, ['A', 'B']), row(1, ['B'])])).toThrow(/two rows for code 1/);
  });
});

describe('resolveTimeouts', () => {
  it('fills missing fields with the defaults', () => {
    expect(resolveTimeouts()).toEqual(DEFAULT_HTTP_TIMEOUTS);
    expect(resolveTimeouts({ headersMs: 1 })).toEqual({ ...DEFAULT_HTTP_TIMEOUTS, headersMs: 1 });
  });

  it('rejects a non-positive timeout', () => {
    expect(() => resolveTimeouts({ bodyMs: 0 })).toThrow(RangeError);
  });
});

describe('ProviderHttp with a MockAgent', () => {
  it('refuses an answer larger than 1 MiB', async () => {
    const agent = mockAgent();
    agent.get('https://example.test').intercept({ path: '/big' }).reply(200, 'x'.repeat(MAX_ANSWER_BYTES + 1));
    const http = new ProviderHttp({ provider: 'zego', baseUrl: 'https://example.test', dispatcher: agent });
    const err = await providerErrorOf(http.send({ operation: 'Op', method: 'GET', path: '/big' }));
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect(err.message).toBe(`zego Op answered more than ${MAX_ANSWER_BYTES} bytes`);
    await agent.close();
  });

  it('prefixes the base URL path', async () => {
    const agent = mockAgent();
    agent.get('https://example.test').intercept({ path: '/zego/?Action=X' }).reply(200, '{}');
    const http = new ProviderHttp({ provider: 'zego', baseUrl: 'https://example.test/zego/', dispatcher: agent });
    await expect(http.send({ operation: 'X', method: 'GET', path: '/?Action=X' })).resolves.toMatchObject({ status: 200, text: '{}' });
    await agent.close();
  });

  it.each(['not a url', 'ftp://example.test', 'https://example.test/?q=1', 'https://user:pw@example.test'])(
    'rejects the base URL %j',
    (baseUrl) => {
      expect(() => new ProviderHttp({ provider: 'agora', baseUrl })).toThrow(TypeError);
    },
  );
});

describe('ProviderHttp with its own pool (loopback server)', () => {
  let server: Server;
  let baseUrl: string;
  let connections: number;
  let handler: (res: ServerResponse) => void;

  beforeEach(async () => {
    connections = 0;
    handler = (res) => res.end('{"ok":true}');
    server = createServer((_req, res) => handler(res));
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('keeps the connection alive between calls', async () => {
    const http = new ProviderHttp({ provider: 'agora', baseUrl });
    for (let i = 0; i < 3; i++) {
      // undici marks a pooled connection free on its next turn; a call in the very same tick as
      // the previous answer's end would open a second socket. Real calls are never that close.
      await new Promise((resolve) => setImmediate(resolve));
      await expect(http.send({ operation: 'Op', method: 'GET', path: '/' })).resolves.toMatchObject({ status: 200, text: '{"ok":true}' });
    }
    expect(connections).toBe(1);
    await http.close();
    await http.close(); // idempotent
  });

  it('times out waiting for headers', async () => {
    handler = () => undefined; // never answers
    const http = new ProviderHttp({ provider: 'agora', baseUrl, timeouts: { headersMs: 100 } });
    const err = await providerErrorOf(http.send({ operation: 'Op', method: 'GET', path: '/' }));
    expect(err).toBeInstanceOf(ProviderTransportError);
    expect(err.message).toBe('agora Op failed in transport: headers timeout (UND_ERR_HEADERS_TIMEOUT)');
    await http.close();
  });

  it('times out between body chunks', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":'); // then nothing
    };
    const http = new ProviderHttp({ provider: 'agora', baseUrl, timeouts: { bodyMs: 100 } });
    const err = await providerErrorOf(http.send({ operation: 'Op', method: 'GET', path: '/' }));
    expect(err).toBeInstanceOf(ProviderTransportError);
    expect(err.message).toBe('agora Op failed in transport: body timeout (UND_ERR_BODY_TIMEOUT)');
    await http.close();
  });

  it('reports a refused connection', async () => {
    const http = new ProviderHttp({ provider: 'zego', baseUrl });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const err = await providerErrorOf(http.send({ operation: 'Op', method: 'GET', path: '/' }));
    expect(err).toBeInstanceOf(ProviderTransportError);
    expect(err.message).toBe('zego Op failed in transport: connection refused (ECONNREFUSED)');
    await http.close();
    server = createServer(); // for afterEach
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  it('turns a header value undici refuses into ProviderRequestError', async () => {
    const http = new ProviderHttp({ provider: 'agora', baseUrl });
    const err = await providerErrorOf(
      http.send({ operation: 'Op', method: 'GET', path: '/', headers: { 'x-request-id': 'a\r\nx-evil: 1' } }),
    );
    expect(err).toBeInstanceOf(ProviderRequestError);
    expect(err.message).toBe('agora Op refused by the HTTP client: invalid request argument (UND_ERR_INVALID_ARG)');
    await http.close();
  });

  it('rethrows the abort reason when cancelled while waiting for headers', async () => {
    handler = () => undefined;
    const http = new ProviderHttp({ provider: 'agora', baseUrl });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await rejectionOf(http.send({ operation: 'Op', method: 'GET', path: '/', signal: controller.signal }));
    expect(err).toBe(controller.signal.reason);
    await http.close();
  });
});
