/** JSON-line logs. Callers pass ids and codes only: never a body, a header, a secret or a stream key. */

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export interface IntakeLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export function jsonLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line)): IntakeLogger {
  const at = (entryLevel: LogLevel) => (message: string, meta: Record<string, unknown> = {}) => {
    if (RANK[entryLevel] < RANK[level]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: entryLevel, component: 'intake', message, ...meta })}\n`);
  };
  return { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

/** A logger that drops everything (tests). */
export const silentLogger: IntakeLogger = { debug() {}, info() {}, warn() {}, error() {} };
