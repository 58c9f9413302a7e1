import { MAX_MIX_SEQUENCE, MIX_SEQUENCE_EPOCH_MS, MixSequence, newZegoNonce, signZego } from '../../../src/providers/zego';

describe('signZego', () => {
  it('matches the test vector of zego.md §2.1 (docs Go sample)', () => {
    expect(signZego(12345, '4fd24687296dd9f3', '9193cc662a4c0ec135ec71fb57194b38', 1615186943)).toBe(
      '43e5cfcca828314675f91b001390566a',
    );
  });

  it('matches the extra 10-digit AppId vector of zego.md §2.1', () => {
    expect(signZego(1234567890, '0123456789abcdef', '00112233445566778899aabbccddeeff', 1700000000)).toBe(
      '408599f97774ba146aa777f429d0514c',
    );
  });
});

describe('newZegoNonce', () => {
  it('is 16 lowercase hex characters, different every time', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => newZegoNonce()));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('MixSequence', () => {
  it('starts from tenths of a second since 2025-01-01 and increases on every call', () => {
    const now = MIX_SEQUENCE_EPOCH_MS + 123_456_789;
    const seq = new MixSequence(() => now);
    expect(seq.next()).toBe(1_234_567);
    expect(seq.next()).toBe(1_234_568);
    expect(seq.next()).toBe(1_234_569);
  });

  it('keeps increasing when the clock goes backwards', () => {
    let now = MIX_SEQUENCE_EPOCH_MS + 10_000;
    const seq = new MixSequence(() => now);
    const first = seq.next();
    now -= 5_000;
    expect(seq.next()).toBe(first + 1);
  });

  it('starts above what a previous process sent, once time has moved on (restart)', () => {
    let now = MIX_SEQUENCE_EPOCH_MS + 50_000;
    const before = new MixSequence(() => now);
    let last = 0;
    for (let i = 0; i < 5; i++) last = before.next();
    now += 1_000; // a restart takes longer than 100 ms × the calls made in the same tenth
    expect(new MixSequence(() => now).next()).toBeGreaterThan(last);
  });

  it('refuses to leave the int32 range', () => {
    const seq = new MixSequence(() => MIX_SEQUENCE_EPOCH_MS + (MAX_MIX_SEQUENCE + 1) * 100);
    expect(() => seq.next()).toThrow(RangeError);
  });
});
