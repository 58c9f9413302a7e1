/** The intake's Temporal client, over the connection settings the worker uses (`src/connection`). */
import { Client, Connection } from '@temporalio/client';
import type { IntakeConfig } from './config';

export interface IntakeTemporal {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

/**
 * Connects lazily: the intake starts and answers 503 while Temporal is down, and its channel
 * reconnects within about two seconds of Temporal coming back (gRPC's default backoff grows to
 * two minutes, which would keep answering 503 long after Temporal is back).
 */
export function connectTemporal(config: Pick<IntakeConfig, 'temporal' | 'payloadCodec'>): IntakeTemporal {
  const connection = Connection.lazy({
    ...(config.temporal.connectionOptions ?? { address: config.temporal.address }),
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2_000 },
  });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    ...(config.payloadCodec ? { dataConverter: { payloadCodecs: [config.payloadCodec] } } : {}),
  });
  return { client, connection, close: () => connection.close() };
}
