import { ApplicationFailure } from '@temporalio/common';
import { LogTimestamp, type LogLevel } from '@temporalio/worker';
import { ConfigError } from '../../src/takedown-worker/config';
import { createLogger, effectiveLevel, formatPretty, parseLogFormat, type LogFormat } from '../../src/takedown-worker/logging';

/** 2023-11-14T22:13:20.123Z */
const AT = 1_700_000_000_123_000_000n;

function capture(level: LogLevel, format: LogFormat) {
  const lines: string[] = [];
  const logger = createLogger(level, format, (line) => lines.push(line));
  return { logger, lines };
}

describe('TAKEDOWN_LOG_FORMAT', () => {
  test('json when unset or empty; json and pretty as given', () => {
    expect(parseLogFormat(undefined)).toBe('json');
    expect(parseLogFormat('')).toBe('json');
    expect(parseLogFormat('json')).toBe('json');
    expect(parseLogFormat('pretty')).toBe('pretty');
  });

  test('anything else stops the worker with a configuration problem naming the variable', () => {
    const err = (() => {
      try {
        parseLogFormat('PRETTY');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual(['TAKEDOWN_LOG_FORMAT: must be json or pretty']);
  });
});

describe('json lines', () => {
  test('time, level, message, then the metadata; one line per entry', () => {
    const { logger, lines } = capture('INFO', 'json');
    logger.info('takedown worker started', { [LogTimestamp]: AT, taskQueue: 'takedown', activityQueues: ['a @ 9/s'] });
    expect(lines).toEqual(['{"time":"2023-11-14T22:13:20.123Z","level":"INFO","message":"takedown worker started","taskQueue":"takedown","activityQueues":["a @ 9/s"]}\n']);
  });

  test('an Error in the metadata keeps its name, message and failure type; a bigint is written as a string', () => {
    const { logger, lines } = capture('INFO', 'json');
    logger.warn('Activity failed', { [LogTimestamp]: AT, error: ApplicationFailure.nonRetryable('ZEGO DeleteStream answered 52000002', 'ProviderRejected'), seq: 12n });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'WARN',
      error: { name: 'ApplicationFailure', message: 'ZEGO DeleteStream answered 52000002', type: 'ProviderRejected' },
      seq: '12',
    });
  });

  test('entries below the level are not written', () => {
    const { logger, lines } = capture('WARN', 'json');
    logger.info('provider call succeeded');
    logger.debug('detail');
    logger.error('provider call failed');
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['provider call failed']);
  });
});

describe('expected noise is DEBUG', () => {
  const webpackReport = 'asset workflow-bundle-ed77846fc5ec9d583928.js 2.67 MiB [emitted] [immutable] (name: main)\norphan modules 473 KiB [orphan] 77 modules';

  test('the activity-only queues’ “No workflows registered”, the Nexus notice and the bundler’s module report', () => {
    expect(effectiveLevel('WARN', 'No workflows registered, not polling for workflow tasks')).toBe('DEBUG');
    expect(effectiveLevel('INFO', 'No Nexus services registered, not polling for Nexus tasks')).toBe('DEBUG');
    expect(effectiveLevel('INFO', webpackReport)).toBe('DEBUG');
  });

  test('the same text at a higher level still shows (a failed bundle is an ERROR), and other messages keep theirs', () => {
    expect(effectiveLevel('ERROR', webpackReport)).toBe('ERROR');
    expect(effectiveLevel('ERROR', 'No workflows registered, not polling for workflow tasks')).toBe('ERROR');
    expect(effectiveLevel('INFO', 'Workflow bundle created')).toBe('INFO');
    expect(effectiveLevel('WARN', 'provider call failed')).toBe('WARN');
  });

  test('at INFO they are not written; at DEBUG they are, as DEBUG', () => {
    for (const format of ['json', 'pretty'] as const) {
      const info = capture('INFO', format);
      info.logger.warn('No workflows registered, not polling for workflow tasks', { taskQueue: 'takedown/agora/any/delete' });
      info.logger.info(webpackReport);
      info.logger.info('Workflow bundle created', { size: '2.67MB' });
      expect(info.lines).toHaveLength(1);
      expect(info.lines[0]).toContain('Workflow bundle created');
    }
    const debug = capture('DEBUG', 'json');
    debug.logger.warn('No workflows registered, not polling for workflow tasks');
    expect(JSON.parse(debug.lines[0]!)).toMatchObject({ level: 'DEBUG', message: 'No workflows registered, not polling for workflow tasks' });
  });
});

describe('pretty lines', () => {
  const saved = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = 'UTC'; // the line shows local time; fix it for the assertion
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  test('local time, padded level, message, then key=value: bare words bare, anything else as JSON', () => {
    const { logger, lines } = capture('INFO', 'pretty');
    logger.info('takedown worker started', { [LogTimestamp]: AT, taskQueue: 'takedown', metrics: 'off', activityQueues: ['takedown/zego/1/DeleteStream @ 9/s'], attempt: 2, note: 'two words' });
    expect(lines).toEqual([
      '22:13:20.123 INFO  takedown worker started  taskQueue=takedown metrics=off activityQueues=["takedown/zego/1/DeleteStream @ 9/s"] attempt=2 note="two words"\n',
    ]);
  });

  test('the SDK’s opaque context is left out; what says which queue, workflow and step stays', () => {
    const { logger, lines } = capture('INFO', 'pretty');
    logger.info('provider call succeeded', {
      [LogTimestamp]: AT,
      sdkComponent: 'activity',
      taskQueue: 'takedown/zego/1/DeleteStream',
      isLocal: false,
      attempt: 1,
      namespace: 'default',
      taskToken: 'CiQwMWEy',
      activityId: '2',
      activityType: 'zegoDeleteStream',
      workflowId: 'takedown/zego/1/r/s',
      workflowRunId: '01a2327e',
      workflowType: 'takedown',
      provider: 'zego',
      outcome: 'done',
    });
    expect(lines).toEqual([
      '22:13:20.123 INFO  provider call succeeded  taskQueue=takedown/zego/1/DeleteStream attempt=1 namespace=default activityType=zegoDeleteStream workflowId=takedown/zego/1/r/s workflowType=takedown provider=zego outcome=done\n',
    ]);
    const json = capture('INFO', 'json');
    json.logger.info('provider call succeeded', { taskToken: 'CiQwMWEy', workflowRunId: '01a2327e' });
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ taskToken: 'CiQwMWEy', workflowRunId: '01a2327e' });
  });

  test('an Error reads as name: message; a message without metadata (or with only undefined values) has no trailing fields', () => {
    const { logger, lines } = capture('INFO', 'pretty');
    logger.warn('Activity failed', { [LogTimestamp]: AT, error: new TypeError('fetch failed') });
    logger.info('takedown worker stopped', { [LogTimestamp]: AT, spanContexts: undefined });
    expect(lines).toEqual(['22:13:20.123 WARN  Activity failed  error="TypeError: fetch failed"\n', '22:13:20.123 INFO  takedown worker stopped\n']);
  });

  test('the lines of a multi-line message follow indented, so each entry starts at the margin', () => {
    expect(formatPretty({ level: 'ERROR', message: 'bundle failed\nModule not found: x\n  at y', timestampNanos: AT, meta: undefined })).toBe(
      '22:13:20.123 ERROR bundle failed\n    Module not found: x\n      at y',
    );
  });
});
