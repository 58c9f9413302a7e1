/** How every process reaches Temporal: settings from the environment and config file, then connections. */
export {
  TEMPORAL_AUTH,
  TEMPORAL_DEFAULTS,
  TemporalConnectionConfigError,
  devServerConnection,
  devServerEnv,
  isTemporalConnectionVariable,
  loadTemporalConnection,
  readTemporalConnection,
  type TemporalAuth,
  type TemporalConnectionOptions,
  type TemporalConnectionSettings,
} from './settings';
export { CONNECT_FAILURE, TemporalConnectError, connectClient, connectNative, explainConnectFailure, recognizeConnectFailure, type ConnectFailureCode } from './connect';
export { connectTakedownClient } from './client';
