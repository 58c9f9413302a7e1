import { createHash } from 'node:crypto';
import { streamKeyFingerprint, takedownSummary, takedownWorkflowId } from '../../src/client';

describe('takedown workflow ids and summaries', () => {
  it('names a ZEGO takedown after app, room and stream', () => {
    expect(takedownWorkflowId({ provider: 'zego', appId: 1234567890, roomId: 'room-1', streamId: 'stream-1', userId: 'u' })).toBe(
      'takedown/zego/1234567890/room-1/stream-1',
    );
  });

  it('names an Agora takedown after a fingerprint of the key, never the key', () => {
    const streamKey = 'secret-stream-key';
    const id = takedownWorkflowId({ provider: 'agora', appId: 'app', region: 'eu', streamKey });
    expect(id).toBe(`takedown/agora/app/eu/${createHash('sha256').update(streamKey).digest('hex').slice(0, 16)}`);
    expect(streamKeyFingerprint(streamKey)).toHaveLength(16);
    expect(id).not.toContain(streamKey);
    const summary = takedownSummary({ violationId: 'v-1', target: { provider: 'agora', appId: 'app', region: 'eu', streamKey, channel: 'ch' } });
    expect(summary).toBe(`Takedown of Agora app app (eu), key ${streamKeyFingerprint(streamKey)}, channel ch for violation v-1`);
    expect(summary).not.toContain(streamKey);
  });
});
