/** ZEGO Actions against seeded state (zego.md §4, §6), over HTTP. */
import fc from 'fast-check';
import { startSandbox, type Sandbox, type ZegoRoomState } from '../../../src/sandbox';
import { form, zego } from './helpers';

const APP = { appId: 1357924680, serverSecret: '0123456789abcdef0123456789abcdef' };
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ zegoApps: [APP], rateLimits: { 'zego.DescribeSimpleStreamList.room': Infinity, 'zego.DeleteStream': Infinity } });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.control.reset());

const call = (action: string, query = '', body?: string) => zego(sandbox.url, { appId: APP.appId, secret: APP.serverSecret, action, query, body });

async function room(roomId: string): Promise<ZegoRoomState | undefined> {
  return (await sandbox.control.state()).zego[String(APP.appId)]?.rooms[roomId];
}

/** host publishes s-host, guest publishes s-guest, viewer watches. */
async function seedRoom(roomId = 'room-1'): Promise<void> {
  await sandbox.control.seedZego({
    appId: APP.appId,
    rooms: [
      {
        roomId,
        users: ['host', 'guest', 'viewer'],
        streams: [
          { streamId: 's-host', userId: 'host' },
          { streamId: 's-guest', userId: 'guest', userName: 'Guest' },
        ],
      },
    ],
  });
}

describe('DeleteStream', () => {
  test('deletes the stream, then answers 138 for it; the publisher stays in the room', async () => {
    await seedRoom();
    const query = form({ RoomId: 'room-1', UserId: 'Server-Administrator', StreamId: 's-host' });
    expect((await call('DeleteStream', query)).body).toMatchObject({ Code: 0, Message: 'success' });
    expect(Object.keys((await room('room-1'))?.streams ?? {})).toEqual(['s-guest']);
    expect((await room('room-1'))?.users).toContain('host');
    expect((await call('DeleteStream', query)).body.Code).toBe(138);
  });

  test('answers 50001 when the room does not exist', async () => {
    const { body } = await call('DeleteStream', form({ RoomId: 'nowhere', UserId: 'op', StreamId: 's' }));
    expect(body.Code).toBe(50001);
  });

  test.each(['RoomId', 'UserId', 'StreamId'])('answers 2 naming %s when it is missing', async (name) => {
    await seedRoom();
    const fields: Record<string, string> = { RoomId: 'room-1', UserId: 'op', StreamId: 's-host' };
    delete fields[name];
    const { body } = await call('DeleteStream', form(fields));
    expect(body.Code).toBe(2);
    expect(body.Message).toContain(name);
    expect(Object.keys((await room('room-1'))?.streams ?? {})).toContain('s-host');
  });

  test('logs its decoded business parameters', async () => {
    await seedRoom();
    await call('DeleteStream', form({ RoomId: 'room-1', UserId: 'op é', StreamId: 's-host' }));
    const [entry] = await sandbox.control.requests({ operation: 'DeleteStream' });
    expect(entry?.params).toMatchObject({ roomId: 'room-1', userId: 'op é', streamId: 's-host' });
    expect(entry?.params.signatureNonce).toEqual(expect.stringMatching(/^[0-9a-f]{16}$/));
  });
});

describe('KickoutUser', () => {
  test.each([
    ['UserId[]=', 'UserId[]=host&UserId[]=guest'],
    ['UserId%5B%5D=', 'UserId%5B%5D=host&UserId%5B%5D=guest'],
    ['bare repeated UserId=', 'UserId=host&UserId=guest'],
  ])('accepts %s and removes the kicked users and their streams', async (_label, users) => {
    await seedRoom();
    const { body } = await call('KickoutUser', `RoomId=room-1&${users}`);
    expect(body.Code).toBe(0);
    const after = await room('room-1');
    expect(after?.users).toEqual(['viewer']);
    expect(after?.streams).toEqual({});
    const [entry] = await sandbox.control.requests({ operation: 'KickoutUser' });
    expect(entry?.params.userIds).toEqual(['host', 'guest']);
  });

  test('keeps the streams of users it did not kick', async () => {
    await seedRoom();
    await call('KickoutUser', 'RoomId=room-1&UserId[]=host');
    expect(Object.keys((await room('room-1'))?.streams ?? {})).toEqual(['s-guest']);
  });

  test('answers 50011 for 6 users and kicks nobody', async () => {
    await seedRoom();
    const users = ['host', 'guest', 'viewer', 'u4', 'u5', 'u6'].map((u) => `UserId[]=${u}`).join('&');
    expect((await call('KickoutUser', `RoomId=room-1&${users}`)).body.Code).toBe(50011);
    expect((await room('room-1'))?.users).toHaveLength(3);
  });

  test('accepts exactly 5 users', async () => {
    await seedRoom();
    const users = ['host', 'guest', 'nobody-1', 'nobody-2', 'nobody-3'].map((u) => `UserId[]=${u}`).join('&');
    expect((await call('KickoutUser', `RoomId=room-1&${users}`)).body.Code).toBe(0);
    expect((await room('room-1'))?.users).toEqual(['viewer']);
  });

  test('answers success for a user who is not in the room', async () => {
    await seedRoom();
    expect((await call('KickoutUser', 'RoomId=room-1&UserId[]=ghost')).body.Code).toBe(0);
    expect((await room('room-1'))?.users).toHaveLength(3);
  });

  test('answers 2 without users', async () => {
    await seedRoom();
    expect((await call('KickoutUser', 'RoomId=room-1')).body.Code).toBe(2);
  });

  test('destroys the room with its last user; the room is then gone for DeleteStream too', async () => {
    await seedRoom();
    await call('KickoutUser', 'RoomId=room-1&UserId[]=host&UserId[]=guest&UserId[]=viewer');
    expect(await room('room-1')).toBeUndefined();
    expect((await call('DeleteStream', form({ RoomId: 'room-1', UserId: 'op', StreamId: 's-host' }))).body.Code).toBe(50001);
    expect((await call('KickoutUser', 'RoomId=room-1&UserId[]=host')).body.Code).toBe(50001);
  });

  test('CustomReason of 256 bytes after URL-decoding is accepted; 257 bytes is answered with 3', async () => {
    await seedRoom();
    const fits = 'é'.repeat(128); // 256 UTF-8 bytes, 768 characters once percent-encoded
    expect((await call('KickoutUser', `RoomId=room-1&UserId[]=ghost&${form({ CustomReason: fits })}`)).body.Code).toBe(0);
    const tooLong = `${fits}x`;
    expect((await call('KickoutUser', `RoomId=room-1&UserId[]=host&${form({ CustomReason: tooLong })}`)).body.Code).toBe(3);
    expect((await room('room-1'))?.users).toContain('host');
  });

  test('any user id survives each array encoding (property)', async () => {
    const encodings = [
      (id: string) => `UserId[]=${encodeURIComponent(id)}`,
      (id: string) => `UserId%5B%5D=${encodeURIComponent(id)}`,
      (id: string) => `UserId=${encodeURIComponent(id)}`,
    ];
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((id) => id !== 'stays'), fc.integer({ min: 0, max: 2 }), async (userId, encoding) => {
        const roomId = `prop-${round++}`;
        await sandbox.control.seedZego({ appId: APP.appId, rooms: [{ roomId, users: [userId, 'stays'], streams: [{ streamId: 's', userId }] }] });
        const { body } = await call('KickoutUser', `RoomId=${roomId}&${encodings[encoding]!(userId)}`);
        expect(body.Code).toBe(0);
        expect(await room(roomId)).toEqual({ roomId, users: ['stays'], streams: {} });
      }),
      { numRuns: 30 },
    );
  });
});

describe('StopMix', () => {
  async function seedMix(lastSequence?: number): Promise<void> {
    await sandbox.control.seedZego({
      appId: APP.appId,
      mixTasks: [{ taskId: 'mix-7', ownerUserId: 'mix-owner', inputStreamIds: ['s-host'], ...(lastSequence === undefined ? {} : { lastSequence }) }],
    });
  }
  const mixTasks = async () => (await sandbox.control.state()).zego[String(APP.appId)]?.mixTasks ?? {};

  test('stops the task; a second stop answers 110209001', async () => {
    await seedMix();
    const body = JSON.stringify({ TaskId: 'mix-7', Sequence: 1, UserId: 'mix-owner' });
    expect((await call('StopMix', '', body)).body).toMatchObject({ Code: 0 });
    expect(await mixTasks()).toEqual({});
    expect((await call('StopMix', '', body)).body.Code).toBe(110209001);
  });

  test('answers 110200160 to a UserId that does not own the task, which keeps running', async () => {
    await seedMix();
    expect((await call('StopMix', '', JSON.stringify({ TaskId: 'mix-7', UserId: 'intruder' }))).body.Code).toBe(110200160);
    expect(Object.keys(await mixTasks())).toEqual(['mix-7']);
  });

  test('ignores, yet answers success to, a Sequence not above the last one processed', async () => {
    await seedMix(5);
    expect((await call('StopMix', '', JSON.stringify({ TaskId: 'mix-7', Sequence: 5, UserId: 'mix-owner' }))).body.Code).toBe(0);
    expect(Object.keys(await mixTasks())).toEqual(['mix-7']);
    // A Sequence sent as a string, as one public client does, still counts.
    expect((await call('StopMix', '', JSON.stringify({ TaskId: 'mix-7', Sequence: '6', UserId: 'mix-owner' }))).body.Code).toBe(0);
    expect(await mixTasks()).toEqual({});
  });

  test('answers 110200004 to a body that is not JSON, and 110200002 without TaskId', async () => {
    await seedMix();
    expect((await call('StopMix', '', '{"TaskId": ')).body.Code).toBe(110200004);
    expect((await call('StopMix', '', JSON.stringify({ Sequence: 1 }))).body.Code).toBe(110200002);
    expect(Object.keys(await mixTasks())).toEqual(['mix-7']);
  });

  test('logs the task, sequence and owner it was sent', async () => {
    await seedMix();
    await call('StopMix', '', JSON.stringify({ TaskId: 'mix-7', Sequence: 3, UserId: 'mix-owner' }));
    const [entry] = await sandbox.control.requests({ provider: 'zego', operation: 'StopMix' });
    expect(entry).toMatchObject({ method: 'POST', path: '/', params: { taskId: 'mix-7', sequence: 3, userId: 'mix-owner' }, code: 0 });
  });
});

describe('DescribeSimpleStreamList', () => {
  test('lists the streams of a room with their publishers', async () => {
    const before = Date.now();
    await seedRoom();
    const { body } = await call('DescribeSimpleStreamList', 'RoomId=room-1');
    expect(body.Code).toBe(0);
    const list = (body.Data as { StreamList: Record<string, unknown>[] }).StreamList;
    expect(list).toEqual([
      { StreamId: 's-host', UserId: 'host', UserName: 'host', CreateTime: expect.any(Number), StreamNumberId: expect.any(Number) },
      { StreamId: 's-guest', UserId: 'guest', UserName: 'Guest', CreateTime: expect.any(Number), StreamNumberId: expect.any(Number) },
    ]);
    expect(list[0]?.CreateTime).toBeGreaterThanOrEqual(before);
    expect(list[0]?.StreamNumberId).not.toBe(list[1]?.StreamNumberId);
  });

  test('an unknown room has no streams; a missing RoomId is answered with 2', async () => {
    expect((await call('DescribeSimpleStreamList', 'RoomId=nowhere')).body).toMatchObject({ Code: 0, Data: { StreamList: [] } });
    expect((await call('DescribeSimpleStreamList', '')).body.Code).toBe(2);
  });
});
