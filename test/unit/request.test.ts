import { utf8ByteLength, validateTakedownRequest } from '../../src/workflows/request';

const zego = { provider: 'zego', appId: 1234567890, roomId: 'room-1', streamId: 'stream-1', userId: 'host-42' };
const agora = { provider: 'agora', appId: 'a1b2c3', region: 'na', streamKey: 'key-1' };

function problems(input: unknown): string[] {
  const result = validateTakedownRequest(input);
  if (result.ok) throw new Error('expected the request to be invalid');
  return result.problems;
}

describe('validateTakedownRequest', () => {
  it('accepts the contract example and applies defaults', () => {
    const result = validateTakedownRequest({ violationId: 'clf-2026-000123', reason: 'violent content (score 0.97)', category: 'violence', target: zego });
    expect(result).toEqual({
      ok: true,
      request: {
        violationId: 'clf-2026-000123',
        reason: 'violent content (score 0.97)',
        category: 'violence',
        dryRun: false,
        target: { ...zego, kick: true, mixTasks: [] },
      },
    });
  });

  it('accepts an Agora target with sid and channel', () => {
    expect(validateTakedownRequest({ violationId: 'v', target: { ...agora, sid: 's-1', channel: 'c' } }).ok).toBe(true);
  });

  it('lists every problem, each with its path', () => {
    expect(problems({ violationId: '', extra: 1, target: { ...zego, appId: 0, kick: 'yes', mixTasks: [{ taskId: 'm' }] } })).toEqual([
      'violationId: must not be empty',
      'target.appId: must be a ZEGO AppId (1 to 4294967295)',
      'target.kick: must be a boolean',
      'target.mixTasks[0].userId: is required',
      'request: Unrecognized key: "extra"',
    ]);
  });

  it('rejects unknown fields at every level', () => {
    expect(problems({ violationId: 'v', target: { ...agora, ban: true } })).toEqual(['target: Unrecognized key: "ban"']);
    expect(problems({ violationId: 'v', target: { ...zego, mixTasks: [{ taskId: 't', userId: 'u', x: 1 }] } })).toEqual([
      'target.mixTasks[0]: Unrecognized key: "x"',
    ]);
  });

  it('measures reason in UTF-8 bytes, not characters', () => {
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('😀')).toBe(4);
    expect(validateTakedownRequest({ violationId: 'v', reason: 'a'.repeat(256), target: zego }).ok).toBe(true);
    expect(problems({ violationId: 'v', reason: 'é'.repeat(129), target: zego })).toEqual(['reason: must be at most 256 UTF-8 bytes']);
  });

  it('bounds metadata and refuses prototype keys', () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    expect(problems({ violationId: 'v', metadata: many, target: zego })).toEqual(['metadata: must have at most 16 entries']);
    const hostile = JSON.parse('{"constructor":"x"}');
    expect(problems({ violationId: 'v', metadata: hostile, target: zego })).toEqual(['metadata.constructor: key is not allowed']);
    expect(problems(JSON.parse(`{"violationId":"v","__proto__":{"polluted":true},"target":${JSON.stringify(zego)}}`))).toEqual([
      'request: Unrecognized key: "__proto__"',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names a bad region, provider or missing target', () => {
    expect(problems({ violationId: 'v', target: { ...agora, region: 'us' } })).toEqual(['target.region: must be one of na, eu, ap, cn']);
    expect(problems({ violationId: 'v', target: { provider: 'twitch' } })).toEqual(['target.provider: must have provider "zego" or "agora"']);
    expect(problems({ violationId: 'v' })).toEqual(['target: is required']);
  });

  it('refuses anything that is not an object', () => {
    for (const input of [null, 'x', 42, [], undefined]) expect(problems(input)).toEqual(['request: must be a JSON object']);
  });
});
