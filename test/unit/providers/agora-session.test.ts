import { AGORA_REGIONS, isAgoraRegion, isSessionOfKey, sessionStreamKey } from '../../../src/providers/agora';

describe('sessionStreamKey', () => {
  it.each([
    ['shxtest1-rtcpush-test-cn.agoramdn.com/live/pIdY42WEm5', 'pIdY42WEm5'],
    ['rtls-ingress-prod-na.agoramdn.com:1935/live/pIdY42WEm5', 'pIdY42WEm5'],
    ['rtmp://rtls-ingress-prod-na.agoramdn.com:1935/live/pIdY42WEm5', 'pIdY42WEm5'],
    ['host/live/key-with_odd.chars~', 'key-with_odd.chars~'],
    ['host/live/pIdY42WEm5?token=x', 'pIdY42WEm5'],
  ])('reads the key from %s', (url, key) => {
    expect(sessionStreamKey(url)).toBe(key);
  });

  it.each(['host/live/', 'host/other/pIdY42WEm5', 'host/live/a/b', 'host', ''])('finds no key in %j', (url) => {
    expect(sessionStreamKey(url)).toBeUndefined();
  });
});

describe('isSessionOfKey', () => {
  it('matches with and without a port', () => {
    expect(isSessionOfKey({ url: 'rtls-ingress-prod-na.agoramdn.com/live/KEY1' }, 'KEY1')).toBe(true);
    expect(isSessionOfKey({ url: 'rtls-ingress-prod-na.agoramdn.com:1935/live/KEY1' }, 'KEY1')).toBe(true);
  });

  it('matches exactly, not by prefix or suffix', () => {
    expect(isSessionOfKey({ url: 'host/live/KEY10' }, 'KEY1')).toBe(false);
    expect(isSessionOfKey({ url: 'host/live/xKEY1' }, 'KEY1')).toBe(false);
    expect(isSessionOfKey({ url: 'host/live/key1' }, 'KEY1')).toBe(false);
  });

  it('matches nothing with an empty key', () => {
    expect(isSessionOfKey({ url: 'host/live/' }, '')).toBe(false);
  });
});

describe('regions', () => {
  it('are na, eu, ap, cn, lowercase only', () => {
    expect(AGORA_REGIONS).toEqual(['na', 'eu', 'ap', 'cn']);
    expect(isAgoraRegion('eu')).toBe(true);
    expect(isAgoraRegion('EU')).toBe(false);
    expect(isAgoraRegion('us')).toBe(false);
  });
});
