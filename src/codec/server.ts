/**
 * Codec server for the Web UI and CLI (`--codec-endpoint`): POST /encode and /decode with
 * `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }`, so operators can read encrypted
 * payloads without the key ever leaving this process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export interface CodecServerOptions {
  codec: PayloadCodec;
  /**
   * @default 127.0.0.1
   */
  host?: string;
  /**
   * 0 for a free port.
   * @default 8888
   */
  port?: number;
  /**
   * Origins allowed by CORS (the Web UI's).
   * @default `http://localhost:8233`
   */
  allowedOrigins?: string[];
}

export async function startCodecServer(options: CodecServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const origins = new Set(options.allowedOrigins ?? ['http://localhost:8233']);
  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'content-type, x-namespace, authorization');
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const operation = req.method === 'POST' ? { '/encode': 'encode', '/decode': 'decode' }[req.url ?? ''] : undefined;
    if (!operation) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('POST /encode or /decode');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads?: JsonPayload[] };
          if (!Array.isArray(body.payloads)) throw new Error('body must be { payloads: [...] }');
          const payloads = body.payloads.map(fromJson);
          const result = operation === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ payloads: result.map(toJson) }));
        } catch (err) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end((err as Error).message);
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 8888, options.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
