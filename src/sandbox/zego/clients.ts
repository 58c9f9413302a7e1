/**
 * A simulated ZEGO client per publisher the control API adds: after a KickoutUser it logs in to
 * its room again and republishes its stream, as a real app does, unless a user-ban rule refuses it
 * (zego.md §4.14). This is what makes a ban, not a kick alone, observable.
 */
import type { ZegoClientState, ZegoJoinAttempt } from '../control-schemas';
import { preciseNow } from '../request-log';
import { keepRejoining, pushBounded, type RejoinPolicy } from '../rejoin';
import type { Timers } from '../timers';
import { ForbidPrivilege, forbidRuleState, type ForbidRules } from './forbid-rules';

/** A room while it has users. */
export interface ZegoRoom {
  roomId: string;
  users: Set<string>;
  streams: Map<string, ZegoStream>;
}

/** A stream in a room's stream list. */
export interface ZegoStream {
  streamId: string;
  /** The publisher. */
  userId: string;
  userName: string;
  /** Unix ms. */
  createTime: number;
  streamNumberId: number;
}

/** What the clients need from their app. */
export interface ZegoClientHost {
  readonly appId: number;
  readonly rooms: Map<string, ZegoRoom>;
  readonly rules: ForbidRules;
  readonly timers: Timers;
  /** Provider clock: rule expiry and stream CreateTime. */
  now(): number;
  /** Adds (or replaces) a stream in a room's list. */
  publish(room: ZegoRoom, stream: Pick<ZegoStream, 'streamId' | 'userId' | 'userName'>, nowMs: number): void;
}

interface ZegoClient {
  roomId: string;
  userId: string;
  userName: string;
  streamId: string;
  ip?: string;
  rejoin: RejoinPolicy;
  phase: ZegoClientState['phase'];
  /** Bumped by each kick, so retries of an older kick stop. */
  cycle: number;
  kickedAt: number[];
  attempts: ZegoJoinAttempt[];
}

/** What `addZegoClient` gives, validated. */
export interface ZegoClientSpec {
  roomId: string;
  userId: string;
  userName?: string;
  streamId: string;
  ip?: string;
  rejoin: RejoinPolicy;
}

function clientKey(roomId: string, userId: string): string {
  return `${roomId}\u0000${userId}`;
}

/** The simulated clients of one app, one per (room, user). */
export class ZegoClients {
  private readonly clients = new Map<string, ZegoClient>();

  constructor(private readonly host: ZegoClientHost) {}

  /**
   * Adds a client that logs in and publishes now, through the same checks as a rejoin; if a rule
   * refuses it, it keeps trying by its policy. Replaces a client of the same room and user. Throws
   * when another user of the room publishes that stream id.
   */
  add(spec: ZegoClientSpec): ZegoClientState {
    const owner = this.host.rooms.get(spec.roomId)?.streams.get(spec.streamId)?.userId;
    if (owner !== undefined && owner !== spec.userId) {
      throw new Error(`stream ${spec.streamId} is already published by ${owner} in room ${spec.roomId}`);
    }
    const previous = this.clients.get(clientKey(spec.roomId, spec.userId));
    const client: ZegoClient = {
      ...spec,
      userName: spec.userName ?? spec.userId,
      phase: 'rejoining',
      cycle: (previous?.cycle ?? 0) + 1,
      kickedAt: [],
      attempts: [],
    };
    this.clients.set(clientKey(spec.roomId, spec.userId), client);
    if (!this.attempt(client, 'created')) this.retry(client);
    return this.state(client);
  }

  /** KickoutUser removed this user from the room: its client, if any, starts coming back. */
  kicked(roomId: string, userId: string): void {
    const client = this.clients.get(clientKey(roomId, userId));
    if (client === undefined) return;
    pushBounded(client.kickedAt, preciseNow());
    client.phase = 'rejoining';
    client.cycle += 1;
    this.retry(client);
  }

  dump(): ZegoClientState[] {
    return [...this.clients.values()].map((client) => this.state(client));
  }

  private retry(client: ZegoClient): void {
    const cycle = client.cycle;
    keepRejoining(this.host.timers, client.rejoin, {
      attempt: () => this.attempt(client, 'rejoin'),
      giveUp: () => {
        client.phase = 'gave-up';
      },
      current: () => client.cycle === cycle && this.clients.get(clientKey(client.roomId, client.userId)) === client,
    });
  }

  /** Logs in (unless still in the room) and publishes; true when the stream is live again. */
  private attempt(client: ZegoClient, reason: ZegoJoinAttempt['reason']): boolean {
    const nowMs = this.host.now();
    const at = preciseNow();
    const subject = { roomId: client.roomId, userId: client.userId, ...(client.ip === undefined ? {} : { ip: client.ip }) };
    const refuse = (refused: 'login' | 'publish', rule: Parameters<typeof forbidRuleState>[1]): false => {
      pushBounded(client.attempts, { at, reason, outcome: 'refused', refused, rule: forbidRuleState(this.host.appId, rule, nowMs) });
      return false;
    };

    let room = this.host.rooms.get(client.roomId);
    if (room?.users.has(client.userId) !== true) {
      const rule = this.host.rules.refusing(subject, ForbidPrivilege.login, nowMs);
      if (rule !== undefined) return refuse('login', rule);
      // A client's login creates the room if it is gone (zego.md §3.2).
      if (room === undefined) {
        room = { roomId: client.roomId, users: new Set(), streams: new Map() };
        this.host.rooms.set(room.roomId, room);
      }
      room.users.add(client.userId);
    }
    const rule = this.host.rules.refusing(subject, ForbidPrivilege.publish, nowMs);
    if (rule !== undefined) return refuse('publish', rule);
    if (room.streams.get(client.streamId)?.userId !== client.userId) {
      this.host.publish(room, { streamId: client.streamId, userId: client.userId, userName: client.userName }, nowMs);
    }
    pushBounded(client.attempts, { at, reason, outcome: 'accepted' });
    client.phase = 'online';
    return true;
  }

  private state(client: ZegoClient): ZegoClientState {
    const room = this.host.rooms.get(client.roomId);
    return {
      appId: this.host.appId,
      roomId: client.roomId,
      userId: client.userId,
      streamId: client.streamId,
      ...(client.ip === undefined ? {} : { ip: client.ip }),
      rejoin: { ...client.rejoin },
      phase: client.phase,
      inRoom: room?.users.has(client.userId) === true,
      publishing: room?.streams.get(client.streamId)?.userId === client.userId,
      kickedAt: [...client.kickedAt],
      attempts: client.attempts.map((attempt) => ({ ...attempt })),
    };
  }
}
