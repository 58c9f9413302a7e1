/**
 * A ready `Client` for code that starts takedowns (classifiers, scripts): the same connection
 * settings and payload codec as the worker, from the same environment.
 */
import { Client } from '@temporalio/client';
import { loadPayloadCodec } from '../takedown-worker/config';
import { connectClient } from './connect';
import { loadTemporalConnection } from './settings';

/** Connects with the `TEMPORAL_*` settings and encrypts payloads when `TAKEDOWN_PAYLOAD_KEYS` is set. */
export async function connectTakedownClient(env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const settings = loadTemporalConnection(env);
  const codec = loadPayloadCodec(env);
  const connection = await connectClient(settings);
  return new Client({ connection, namespace: settings.namespace, ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}) });
}
