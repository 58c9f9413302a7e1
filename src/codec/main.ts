/** `npm run codec-server`: the codec server over the worker's payload keys. */
import { ConfigError, loadPayloadCodec } from '../takedown-worker/config';
import { startCodecServer } from './server';

async function main(): Promise<void> {
  const codec = loadPayloadCodec();
  if (!codec) throw new ConfigError(['TAKEDOWN_PAYLOAD_KEYS: is required for the codec server']);
  const server = await startCodecServer({
    codec,
    port: Number(process.env.TAKEDOWN_CODEC_PORT ?? 8888),
    allowedOrigins: (process.env.TAKEDOWN_CODEC_ORIGINS ?? 'http://localhost:8233').split(',').map((s) => s.trim()),
  });
  console.log(`codec server on ${server.url} (POST /encode, /decode); point the Web UI or CLI at it with --codec-endpoint ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(2);
});
