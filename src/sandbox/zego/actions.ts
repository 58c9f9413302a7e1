/**
 * The ZEGO Actions the sandbox serves: how each reads its business parameters, which rate-limit
 * buckets it counts against, and what it does to an app's state (zego.md §4, §6).
 */
import { parseJsonBody } from '../http-util';
import type { ZegoOperation } from '../operations';
import { arrayParam, missing, ok, single, type ZegoAction } from './action-kit';
import { ZegoCode, type ZegoResult } from './codes';
import { FORBID_USER_RULE_ACTIONS } from './forbid-rule-actions';

export type { PreparedAction, ZegoAction } from './action-kit';

/** ZEGO allows up to 5 users per KickoutUser (zego.md §4.2). */
export const MAX_KICKED_USERS = 5;
/** CustomReason limit, in bytes after URL-decoding (zego.md §4.2). */
export const MAX_CUSTOM_REASON_BYTES = 256;

const deleteStream: ZegoAction = {
  bucket: 'zego.DeleteStream',
  testBucket: 'zego.test.DeleteStream',
  throttledCode: ZegoCode.appThrottled,
  prepare(query) {
    const roomId = single(query, 'RoomId');
    const userId = single(query, 'UserId');
    const streamId = single(query, 'StreamId');
    return {
      params: { roomId, userId, streamId },
      execute(app) {
        const problem = missing({ RoomId: roomId, UserId: userId, StreamId: streamId });
        if (problem !== undefined || roomId === undefined || streamId === undefined) return problem ?? ok;
        const room = app.rooms.get(roomId);
        if (room === undefined) return { code: ZegoCode.roomNotFound };
        // DeleteStream only takes the stream off the room's list; the publisher stays (zego.md §4.1).
        if (!room.streams.delete(streamId)) return { code: ZegoCode.streamNotFound };
        return ok;
      },
    };
  },
};

const kickoutUser: ZegoAction = {
  bucket: 'zego.KickoutUser',
  throttledCode: ZegoCode.appThrottled,
  prepare(query) {
    const roomId = single(query, 'RoomId');
    const userIds = arrayParam(query, 'UserId');
    const customReason = single(query, 'CustomReason');
    return {
      params: { roomId, userIds, ...(customReason === undefined ? {} : { customReason }) },
      execute(app) {
        const problem = missing({ RoomId: roomId });
        if (problem !== undefined || roomId === undefined) return problem ?? ok;
        if (userIds.length === 0 || userIds.includes('')) {
          return { code: ZegoCode.invalidParameter, message: 'input parameter error: UserId[] needs 1 to 5 non-empty user ids' };
        }
        if (userIds.length > MAX_KICKED_USERS) return { code: ZegoCode.userListTooLong };
        if (customReason !== undefined && Buffer.byteLength(customReason, 'utf8') > MAX_CUSTOM_REASON_BYTES) {
          return { code: ZegoCode.parameterTooLong, message: `input parameter too long: CustomReason over ${MAX_CUSTOM_REASON_BYTES} bytes` };
        }
        const room = app.rooms.get(roomId);
        // Not documented for a missing room (zego.md §6); 50001 as DeleteStream answers (inferred).
        if (room === undefined) return { code: ZegoCode.roomNotFound };
        // Kicking an absent user succeeds (FAQ kick-nonexistent-user-error).
        for (const userId of userIds) app.kickUser(room, userId);
        return ok;
      },
    };
  },
};

interface StopMixBody {
  taskId?: string;
  sequence?: number;
  userId?: string;
  problem?: ZegoResult;
}

/** StopMix's JSON body (zego.md §4.10), read tolerantly: numbers and numeric strings are accepted alike. */
function readStopMixBody(body: Buffer): StopMixBody {
  let parsed: unknown;
  try {
    parsed = parseJsonBody(body) ?? {};
  } catch {
    return { problem: { code: ZegoCode.mixParseFailed } };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: { code: ZegoCode.mixParseFailed } };
  const fields = parsed as Record<string, unknown>;
  const taskId = idText(fields.TaskId);
  const userId = idText(fields.UserId);
  // The public PHP client sends Sequence as a string (zego.md §7).
  const rawSequence = typeof fields.Sequence === 'string' && /^-?\d+$/.test(fields.Sequence) ? Number(fields.Sequence) : fields.Sequence;
  const sequence = Number.isInteger(rawSequence) ? (rawSequence as number) : undefined;
  const read: StopMixBody = {
    ...(taskId === undefined ? {} : { taskId }),
    ...(sequence === undefined ? {} : { sequence }),
    ...(userId === undefined ? {} : { userId }),
  };
  const bad = (what: string): StopMixBody => ({ ...read, problem: { code: ZegoCode.mixParameterError, message: `input parameter error: ${what}` } });
  if (taskId === undefined) return bad('TaskId is required');
  if (rawSequence !== undefined && sequence === undefined) return bad('Sequence must be an integer');
  if (fields.UserId !== undefined && userId === undefined) return bad('UserId must be a string');
  return read;
}

function idText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const stopMix: ZegoAction = {
  bucket: 'zego.StopMix',
  throttledCode: ZegoCode.stopMixThrottled,
  prepare(_query, body) {
    const { problem, ...params } = readStopMixBody(body);
    const { taskId, sequence, userId } = params;
    return {
      params,
      execute(app) {
        if (problem !== undefined || taskId === undefined) return problem ?? ok;
        const task = app.mixTasks.get(taskId);
        if (task === undefined) return { code: ZegoCode.mixTaskNotFound };
        // Ownership is only checked when a UserId is sent: the docs make it optional (inferred).
        if (userId !== undefined && userId !== task.ownerUserId) return { code: ZegoCode.mixNotOwner };
        // A late request with a Sequence not above the last one processed is ignored, yet answered
        // as a success (FAQ stream-mix-seq): the task keeps running.
        if (sequence !== undefined && task.lastSequence !== undefined && sequence <= task.lastSequence) return ok;
        app.mixTasks.delete(taskId);
        return ok;
      },
    };
  },
};

const describeSimpleStreamList: ZegoAction = {
  bucket: 'zego.DescribeSimpleStreamList',
  throttledCode: ZegoCode.appThrottled,
  roomBucket: 'zego.DescribeSimpleStreamList.room',
  prepare(query) {
    const roomId = single(query, 'RoomId');
    return {
      params: { roomId },
      roomId,
      execute(app) {
        const problem = missing({ RoomId: roomId });
        if (problem !== undefined || roomId === undefined) return problem ?? ok;
        // A room that does not exist has no streams; the docs list no "room not found" code here (inferred).
        const streams = [...(app.rooms.get(roomId)?.streams.values() ?? [])];
        return {
          code: ZegoCode.success,
          data: {
            StreamList: streams.map((stream) => ({
              StreamId: stream.streamId,
              UserId: stream.userId,
              UserName: stream.userName,
              CreateTime: stream.createTime,
              StreamNumberId: stream.streamNumberId,
            })),
          },
        };
      },
    };
  },
};

/** The served Actions, by name. */
export const ZEGO_ACTIONS: Readonly<Record<ZegoOperation, ZegoAction>> = {
  DeleteStream: deleteStream,
  KickoutUser: kickoutUser,
  StopMix: stopMix,
  DescribeSimpleStreamList: describeSimpleStreamList,
  ...FORBID_USER_RULE_ACTIONS,
};
