import { MalformedVerdictError } from '../../../src/intake/errors';
import { readActiveFenceWebhook } from '../../../src/intake/sources/activefence';
import { readJsonObject } from '../../../src/intake/sources/common';
import { readHiveCallback } from '../../../src/intake/sources/hive';
import { readZegoBody, readZegoCallback } from '../../../src/intake/sources/zego-censor';
import { activeFenceWebhook, hiveCallback, zegoCensorResult } from './senders';

function malformed(fn: () => unknown): MalformedVerdictError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedVerdictError);
    return err as MalformedVerdictError;
  }
  throw new Error('expected a 400');
}

describe('ZEGO censor callbacks', () => {
  const result = zegoCensorResult('secret', { roomId: 'room-1', resultTaskId: 'task_s_1_1' });

  test('status events and failed moderations are acknowledged with nothing to do', () => {
    expect(readZegoCallback({ ...result, Event: 'censor_video_v2_img_status' })).toEqual({ kind: 'acknowledged', reason: 'status event censor_video_v2_img_status' });
    expect(readZegoCallback({ ...result, Code: 3 })).toEqual({ kind: 'acknowledged', reason: 'moderation failed (Code 3)' });
    expect(readZegoCallback({ ...result, Event: 'some_future_event' })).toEqual({ kind: 'acknowledged', reason: 'an event the intake does not act on' });
  });

  test('a result without its room or key is a 400 listing what is missing', () => {
    const err = malformed(() => readZegoCallback({ ...result, AuxInfo: {}, ResultTaskId: '' }));
    expect(err.problems).toEqual(['ResultTaskId: must not be empty', 'AuxInfo.RoomId: is required']);
    expect(malformed(() => readZegoCallback({ ...result, Event: 7 })).problems).toEqual(['Event: is required']);
  });

  test('a URL-encoded body (ZEGO says to URL-decode) is read like JSON', () => {
    const encoded = Buffer.from(encodeURIComponent(JSON.stringify(result)));
    expect(readZegoBody(encoded)).toEqual(result);
  });
});

describe('ActiveFence webhooks', () => {
  test('reason as an array, metadata as an object under `metadata`, uid as a numeric string', () => {
    const { metaData: _m, ...rest } = activeFenceWebhook({ contentId: 'c', reason: ['violence', 'hate'], cname: 'ch', uid: 5 });
    const verdict = readActiveFenceWebhook({ ...rest, metadata: { cname: 'ch', uid: '5' } });
    expect(verdict.categories).toEqual(['violence', 'hate']);
    expect(verdict.subject).toEqual({ kind: 'agora-rtc', channel: 'ch', uid: 5 });
  });

  test.each([
    ['metaData missing', (b: Record<string, unknown>) => { delete b.metaData; }, ['metaData: is required (a JSON string with cname and uid)']],
    ['metaData not JSON', (b: Record<string, unknown>) => { b.metaData = '{cname'; }, ['metaData: must be a JSON string with cname and uid']],
    ['uid not numeric', (b: Record<string, unknown>) => { b.metaData = JSON.stringify({ cname: 'c', uid: 'abc' }); }, ['metaData.uid: must be a numeric Agora uid']],
    ['uid out of range', (b: Record<string, unknown>) => { b.metaData = JSON.stringify({ cname: 'c', uid: 2 ** 32 }); }, ['metaData.uid: must be an Agora uid (1 to 4294967295)']],
    ['no contentId', (b: Record<string, unknown>) => { delete b.contentId; }, ['contentId: is required']],
    ['reason of the wrong type', (b: Record<string, unknown>) => { b.reason = 5; }, ['reason: must be a string or an array of strings']],
  ])('%s is a 400 naming the field', (_name, mutate, problems) => {
    const body = activeFenceWebhook({ contentId: 'c', reason: 'violence', cname: 'ch', uid: 5 });
    mutate(body);
    expect(malformed(() => readActiveFenceWebhook(body)).problems).toEqual(problems);
  });
});

describe('Hive callbacks', () => {
  test('each class keeps its highest score over the frames; junk frames are skipped', () => {
    const body = hiveCallback({ id: 'h', cname: 'ch', uid: 9, classes: [{ a: 0.2, b: 0.9 }, { a: 0.7 }] });
    ((body.status as { response: { output: unknown[] } }[])[0]!.response.output).push(null, { classes: 'x' }, { classes: [{ class: 5 }] });
    expect(readHiveCallback(body).scores).toEqual({ a: 0.7, b: 0.9 });
  });

  test('an id that is a number is read as its text; no metadata is a 400', () => {
    expect(readHiveCallback({ ...hiveCallback({ id: 'x', cname: 'ch', uid: 9, classes: [] }), id: 77 }).key).toBe('77');
    const { metadata: _m, ...rest } = hiveCallback({ id: 'x', cname: 'ch', uid: 9, classes: [] });
    expect(malformed(() => readHiveCallback(rest)).problems).toEqual(['metadata: must be a JSON string with cname and uid']);
  });
});

test('bodies that are not JSON objects are 400s that say so', () => {
  expect(malformed(() => readJsonObject(Buffer.alloc(0), 'x')).message).toBe('x: the body is empty');
  expect(malformed(() => readJsonObject(Buffer.from('[1]'), 'x')).message).toBe('x: the body is not a JSON object');
  expect(malformed(() => readJsonObject(Buffer.from('{"a":'), 'x')).message).toBe('x: the body is not JSON');
  expect(malformed(() => readJsonObject(Buffer.from('['.repeat(60_000)), 'x')).message).toBe('x: the body is not JSON');
});
