/**
 * The worker's logs, and everything the Temporal runtime forwards to them: JSON lines by default
 * (for log pipelines), or human-readable lines (`TAKEDOWN_LOG_FORMAT=pretty`, what `npm run dev`
 * sets) for a person watching a terminal. Messages the SDK always prints for this worker's shape
 * are demoted to DEBUG in both formats.
 */
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import { ConfigError } from './config';

/** How log lines are written. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Reads `TAKEDOWN_LOG_FORMAT`: `json` (one JSON object per line) or `pretty` (a line a person scans).
 *
 * @default 'json' when unset or empty
 * @throws ConfigError naming the variable when the value is anything else
 */
export function parseLogFormat(value: string | undefined): LogFormat {
  if (value === undefined || value === '') return 'json';
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
  throw new ConfigError([`TAKEDOWN_LOG_FORMAT: must be ${LOG_FORMATS.join(' or ')}`]);
}

const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** A message the SDK logs that is expected for this worker, and the level it logs it at. */
interface ExpectedNoise {
  level: LogLevel;
  matches(message: string): boolean;
}

/**
 * Matched by message because the SDK offers no switch for them. Only these exact levels are
 * demoted: the same text at a higher level (a failed bundle is logged as ERROR) still shows.
 */
const EXPECTED_NOISE: readonly ExpectedNoise[] = [
  // Each rate-limited activity queue has a worker of its own that runs activities only (the
  // workflow queue has the one that runs workflows), so this is true of every one of them by design.
  { level: 'WARN', matches: (m) => m === 'No workflows registered, not polling for workflow tasks' },
  // The worker serves no Nexus services; the SDK says so once per queue.
  { level: 'INFO', matches: (m) => m === 'No Nexus services registered, not polling for Nexus tasks' },
  // webpack's module report of the workflow bundle: hundreds of lines in one message at every start
  // without a prebuilt bundle; "Workflow bundle created" (with its size) follows it anyway.
  { level: 'INFO', matches: (m) => m.startsWith('asset workflow-bundle-') },
];

/** The level a message is written at: DEBUG for expected noise, its own level otherwise. */
export function effectiveLevel(level: LogLevel, message: string): LogLevel {
  return EXPECTED_NOISE.some((noise) => noise.level === level && noise.matches(message)) ? 'DEBUG' : level;
}

/**
 * A value as JSON can carry it: an Error as its name, message and (ApplicationFailure) type, which
 * `JSON.stringify` would write as `{}`; a bigint as a string, which it would throw on.
 */
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const type = (value as { type?: unknown }).type;
    return { name: value.name, message: value.message, ...(typeof type === 'string' ? { type } : {}) };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

const replacer = (_key: string, value: unknown) => plain(value);

function toDate(entry: LogEntry): Date {
  return new Date(Number(entry.timestampNanos / 1_000_000n));
}

/** One JSON object: time, level, message, then the metadata's own keys. */
export function formatJson(entry: LogEntry): string {
  return JSON.stringify({ time: toDate(entry).toISOString(), level: entry.level, message: entry.message, ...entry.meta }, replacer);
}

/** A value as `key=value` shows it: bare when it is one plain word, JSON otherwise. */
function prettyValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(`${value.name}: ${value.message}`);
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return String(JSON.stringify(value, replacer));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Context the SDK adds to its and the activities' entries that a person does not read: opaque ids
 * and tokens, and which SDK part logged. JSON lines keep all of it.
 */
const PRETTY_OMITS: ReadonlySet<string> = new Set(['sdkComponent', 'taskToken', 'isLocal', 'activityId', 'workflowRunId', 'runId']);

/**
 * `HH:MM:SS.mmm LEVEL message  key=value …` in local time, without the SDK's opaque context
 * (task tokens, run ids…); the lines of a multi-line message (a stack, a bundler error) follow
 * indented, so the next entry still starts at the margin.
 */
export function formatPretty(entry: LogEntry): string {
  const d = toDate(entry);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const [first, ...rest] = entry.message.split('\n');
  const fields = Object.entries(entry.meta ?? {})
    .filter(([key, value]) => value !== undefined && !PRETTY_OMITS.has(key))
    .map(([key, value]) => `${key}=${prettyValue(value)}`);
  const head = `${time} ${entry.level.padEnd(5)} ${first}${fields.length ? `  ${fields.join(' ')}` : ''}`;
  return [head, ...rest.map((line) => `    ${line}`)].join('\n');
}

const FORMATTERS: Record<LogFormat, (entry: LogEntry) => string> = { json: formatJson, pretty: formatPretty };

/**
 * The worker's logger (install it as the Runtime's logger so the SDK's own lines go through it):
 * entries at `level` or above, after demoting expected noise, written by `write` one line each.
 *
 * @default write process.stdout
 */
export function createLogger(level: LogLevel, format: LogFormat, write: (line: string) => void = (line) => process.stdout.write(line)): DefaultLogger {
  const threshold = SEVERITY[level];
  const formatter = FORMATTERS[format];
  // DefaultLogger drops what is below `level` before calling us; demotion only lowers a level,
  // so checking again after it is enough.
  return new DefaultLogger(level, (entry) => {
    const effective = effectiveLevel(entry.level, entry.message);
    if (SEVERITY[effective] < threshold) return;
    write(`${formatter({ ...entry, level: effective })}\n`);
  });
}
