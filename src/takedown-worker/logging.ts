/** Structured (JSON lines) logs for the worker and everything the Temporal runtime forwards. */
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';

function toJsonLine(entry: LogEntry): string {
  return JSON.stringify({
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level,
    message: entry.message,
    ...entry.meta,
  });
}

export function jsonLogger(level: LogLevel): DefaultLogger {
  return new DefaultLogger(level, (entry) => {
    process.stdout.write(`${toJsonLine(entry)}\n`);
  });
}
