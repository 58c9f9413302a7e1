/**
 * What a ZEGO app holds: rooms with their users and streams, mix tasks, user-ban rules and the
 * simulated clients. There is no server API to create a room (zego.md §3.2): rooms come from
 * seeding and from a simulated client logging in again.
 */
import type { SeedZego, ZegoAppState } from '../control-schemas';
import type { RuleCaps } from '../rule-caps';
import type { Timers } from '../timers';
import { ZegoClients, type ZegoClientHost, type ZegoRoom, type ZegoStream } from './clients';
import { ForbidRules, forbidRuleState } from './forbid-rules';
import type { ZegoAppConfig } from './gateway';

export type { ZegoRoom, ZegoStream };

/** A running mix task (zego.md §4.9). */
export interface MixTask {
  taskId: string;
  ownerUserId: string;
  lastSequence?: number;
  inputStreamIds: string[];
}

/** What every app shares from the sandbox. */
export interface ZegoEnvironment {
  /** Provider clock: stream CreateTime and rule expiry. */
  now: () => number;
  /** Where the simulated clients' retries wait; cleared by a reset. */
  timers: Timers;
  /** Read at each SetForbidUserRule, so `configure` applies to the next one. */
  ruleCaps: () => RuleCaps;
}

/** One app's rooms, mix tasks, rules and clients. */
export class ZegoApp implements ZegoClientHost {
  readonly rooms = new Map<string, ZegoRoom>();
  readonly mixTasks = new Map<string, MixTask>();
  readonly rules = new ForbidRules();
  readonly clients: ZegoClients;
  private nextStreamNumberId = 1;

  constructor(
    readonly config: ZegoAppConfig,
    private readonly env: ZegoEnvironment,
  ) {
    this.clients = new ZegoClients(this);
  }

  get appId(): number {
    return this.config.appId;
  }

  get timers(): Timers {
    return this.env.timers;
  }

  now(): number {
    return this.env.now();
  }

  ruleCaps(): RuleCaps {
    return this.env.ruleCaps();
  }

  /** Seeds rooms (replacing any of the same id) and mix tasks. Throws when a stream's publisher is not in its room. */
  seed(seed: SeedZego, nowMs: number): void {
    // Validate everything before changing anything: a refused seed leaves the state as it was.
    for (const room of seed.rooms) {
      const stray = room.streams.find((stream) => !room.users.includes(stream.userId));
      if (stray !== undefined) {
        throw new Error(`stream ${stray.streamId}: publisher ${stray.userId} is not a user of room ${room.roomId}`);
      }
    }
    for (const roomSeed of seed.rooms) {
      const room: ZegoRoom = { roomId: roomSeed.roomId, users: new Set(roomSeed.users), streams: new Map() };
      for (const stream of roomSeed.streams) {
        this.publish(room, { streamId: stream.streamId, userId: stream.userId, userName: stream.userName ?? stream.userId }, nowMs);
      }
      this.rooms.set(room.roomId, room);
    }
    for (const task of seed.mixTasks) {
      this.mixTasks.set(task.taskId, { ...task, inputStreamIds: [...task.inputStreamIds] });
    }
  }

  publish(room: ZegoRoom, stream: Pick<ZegoStream, 'streamId' | 'userId' | 'userName'>, nowMs: number): void {
    room.streams.set(stream.streamId, { ...stream, createTime: nowMs, streamNumberId: this.nextStreamNumberId++ });
  }

  /** Removes a user and the streams they publish; the room goes with its last user (zego.md §3.2). */
  removeUser(room: ZegoRoom, userId: string): void {
    room.users.delete(userId);
    for (const [streamId, stream] of room.streams) {
      if (stream.userId === userId) room.streams.delete(streamId);
    }
    if (room.users.size === 0) this.rooms.delete(room.roomId);
  }

  /** KickoutUser of one user: out of the room, and its simulated client (if any) starts coming back. */
  kickUser(room: ZegoRoom, userId: string): void {
    const present = room.users.has(userId);
    this.removeUser(room, userId);
    if (present) this.clients.kicked(room.roomId, userId);
  }

  dump(): ZegoAppState {
    const byId = <T, V>(items: Iterable<T>, id: (item: T) => string, view: (item: T) => V): Record<string, V> =>
      Object.fromEntries([...items].map((item) => [id(item), view(item)]));
    const nowMs = this.now();
    return {
      appId: this.config.appId,
      isTest: this.config.isTest === true,
      rooms: byId(
        this.rooms.values(),
        (room) => room.roomId,
        (room) => ({
          roomId: room.roomId,
          users: [...room.users],
          streams: byId(room.streams.values(), (stream) => stream.streamId, (stream) => ({ ...stream })),
        }),
      ),
      mixTasks: byId(this.mixTasks.values(), (task) => task.taskId, (task) => ({ ...task, inputStreamIds: [...task.inputStreamIds] })),
      forbidUserRules: this.rules.all(nowMs).map((rule) => forbidRuleState(this.appId, rule, nowMs)),
    };
  }
}

/** Every configured app's state. Apps are fixed at start; their state is cleared by a reset. */
export class ZegoWorld {
  private apps = new Map<number, ZegoApp>();

  constructor(
    private readonly configs: ReadonlyMap<number, ZegoAppConfig>,
    private readonly env: ZegoEnvironment,
  ) {
    this.reset();
  }

  app(appId: number): ZegoApp | undefined {
    return this.apps.get(appId);
  }

  all(): ZegoApp[] {
    return [...this.apps.values()];
  }

  reset(): void {
    this.env.timers.clear();
    this.apps = new Map([...this.configs].map(([appId, config]) => [appId, new ZegoApp(config, this.env)]));
  }

  /** Cancels pending client retries. */
  close(): void {
    this.env.timers.clear();
  }

  /** By AppId as a decimal string. */
  dump(): Record<string, ZegoAppState> {
    return Object.fromEntries([...this.apps].map(([appId, app]) => [String(appId), app.dump()]));
  }
}
