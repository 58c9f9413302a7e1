import { clipUtf8, takedownRequestFor, violationIdFor } from '../../../src/intake/mapping';
import { parsePolicy } from '../../../src/intake/policy';
import { readActiveFenceWebhook } from '../../../src/intake/sources/activefence';
import { readHiveCallback } from '../../../src/intake/sources/hive';
import { readZegoCallback } from '../../../src/intake/sources/zego-censor';
import type { Verdict } from '../../../src/intake/verdict';
import { utf8ByteLength } from '../../../src/workflows/request';
import { activeFenceWebhook, hiveCallback, zegoCensorResult } from './senders';

const APP = '0f3cdd3c66f9cd406a0cfcfa74558ec0';
const policy = parsePolicy({
  rules: [
    { source: 'zego-censor', action: 'takedown', ban: { duration: '24h' } },
    { source: 'activefence', action: 'takedown', agoraAppId: APP, ban: { duration: '7d', scope: 'app' } },
    { source: 'hive', action: 'takedown', agoraAppId: APP, shadow: true },
  ],
});

function zegoVerdict(fields: Parameters<typeof zegoCensorResult>[1]): Verdict {
  const read = readZegoCallback(zegoCensorResult('secret', fields));
  if (read.kind !== 'verdict') throw new Error('expected a verdict');
  return read.verdict;
}

test('a ZEGO censor verdict on a room becomes the room-wide ZEGO target, with the ban', () => {
  const request = takedownRequestFor(zegoVerdict({ roomId: 'room-1', resultTaskId: 'task_s_1_1' }), policy.rules[0]!, 0);
  expect(request).toEqual({
    violationId: 'zego-censor:task_s_1_1',
    reason: 'ZEGO censor REJECT (porn/sexy/sexy) score 0.8550949 in room room-1',
    category: 'porn',
    dryRun: false,
    metadata: {
      source: 'zego-censor',
      sourceKey: 'task_s_1_1',
      event: 'censor_video_v2_img_result',
      taskId: 'f5312a47e068e934c05bab75d917e48e',
      riskLevel: 'REJECT',
      labels: 'porn/sexy/sexy',
      score: '0.8550949',
    },
    target: { provider: 'zego', appId: 1234567890, roomId: 'room-1' },
    ban: { duration: '24h' },
  });
});

test('a ZEGO result that names its stream and publisher targets that stream; a stream alone falls back to the room', () => {
  const named = takedownRequestFor(zegoVerdict({ roomId: 'room-1', resultTaskId: 't', streamId: 'stream-1', userId: 'host-1' }), policy.rules[0]!, 0);
  expect(named.target).toEqual({ provider: 'zego', appId: 1234567890, roomId: 'room-1', streamId: 'stream-1', userId: 'host-1' });
  expect(named.reason).toBe('ZEGO censor REJECT (porn/sexy/sexy) score 0.8550949 in stream stream-1 in room room-1');
  const streamOnly = takedownRequestFor(zegoVerdict({ roomId: 'room-1', resultTaskId: 't', streamId: 'stream-1' }), policy.rules[0]!, 0);
  expect(streamOnly.target).toEqual({ provider: 'zego', appId: 1234567890, roomId: 'room-1' });
});

test('an ActiveFence verdict on Agora becomes the Agora RTC target with the App ID of the rule', () => {
  const verdict = readActiveFenceWebhook(activeFenceWebhook({ contentId: 'content-9', reason: 'violence,hate', cname: 'channel-1', uid: 1001 }));
  expect(takedownRequestFor(verdict, policy.rules[1]!, 1)).toEqual({
    violationId: 'activefence:content-9',
    reason: 'ActiveFence violence, hate (violation): uid 1001 in channel channel-1',
    category: 'violence',
    dryRun: false,
    metadata: { source: 'activefence', sourceKey: 'content-9', categories: 'violence,hate', status: 'violation', userId: '1001', sid: 'sid-1', requestId: 'req-1' },
    target: { provider: 'agora', appId: APP, channel: 'channel-1', uid: 1001 },
    ban: { duration: '7d', scope: 'app' },
  });
});

test('a Hive verdict under a shadow rule becomes a dry run of the Agora RTC target', () => {
  const verdict = readHiveCallback(hiveCallback({ id: 'hive-7', cname: 'channel-2', uid: 42, classes: [{ general_nsfw: 0.5, yes_gun: 0.1 }, { general_nsfw: 0.97 }] }));
  expect(takedownRequestFor(verdict, policy.rules[2]!, 2)).toEqual({
    violationId: 'hive:hive-7',
    reason: 'Hive general_nsfw 0.97, yes_gun 0.1: uid 42 in channel channel-2',
    category: 'general_nsfw',
    dryRun: true,
    metadata: { source: 'hive', sourceKey: 'hive-7', projectId: '12345', topClasses: 'general_nsfw=0.97,yes_gun=0.1', sid: 'sid-1', requestId: 'req-1' },
    target: { provider: 'agora', appId: APP, channel: 'channel-2', uid: 42 },
  });
});

test('violation ids are <source>:<key>, or a digest when the key is too long', () => {
  expect(violationIdFor({ source: 'hive', key: 'abc' })).toBe('hive:abc');
  const long = violationIdFor({ source: 'zego-censor', key: 'k'.repeat(200) });
  expect(long).toMatch(/^zego-censor:sha256:[0-9a-f]{32}$/);
  expect(long).toBe(violationIdFor({ source: 'zego-censor', key: 'k'.repeat(200) }));
});

test('reasons are cut to 256 UTF-8 bytes on a character boundary', () => {
  const clipped = clipUtf8('é'.repeat(300), 256);
  expect(utf8ByteLength(clipped)).toBeLessThanOrEqual(256);
  expect(clipped.endsWith('…')).toBe(true);
  expect(clipUtf8('short', 256)).toBe('short');
});
