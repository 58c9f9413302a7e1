/**
 * What a ZEGO app holds: rooms with their users and streams, and mix tasks. There is no server
 * API to create a room (zego.md §3.2), so rooms come from seeding and only ever shrink.
 */
import type { SeedZego, ZegoAppState } from '../control-schemas';
import type { ZegoAppConfig } from './gateway';

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

/** A room while it has users. */
export interface ZegoRoom {
  roomId: string;
  users: Set<string>;
  streams: Map<string, ZegoStream>;
}

/** A running mix task (zego.md §4.9). */
export interface MixTask {
  taskId: string;
  ownerUserId: string;
  lastSequence?: number;
  inputStreamIds: string[];
}

/** One app's rooms and mix tasks. */
export class ZegoApp {
  readonly rooms = new Map<string, ZegoRoom>();
  readonly mixTasks = new Map<string, MixTask>();
  private nextStreamNumberId = 1;

  constructor(readonly config: ZegoAppConfig) {}

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
        room.streams.set(stream.streamId, {
          streamId: stream.streamId,
          userId: stream.userId,
          userName: stream.userName ?? stream.userId,
          createTime: nowMs,
          streamNumberId: this.nextStreamNumberId++,
        });
      }
      this.rooms.set(room.roomId, room);
    }
    for (const task of seed.mixTasks) {
      this.mixTasks.set(task.taskId, { ...task, inputStreamIds: [...task.inputStreamIds] });
    }
  }

  /** Removes a user and the streams they publish; the room goes with its last user (zego.md §3.2). */
  removeUser(room: ZegoRoom, userId: string): void {
    room.users.delete(userId);
    for (const [streamId, stream] of room.streams) {
      if (stream.userId === userId) room.streams.delete(streamId);
    }
    if (room.users.size === 0) this.rooms.delete(room.roomId);
  }

  dump(): ZegoAppState {
    const byId = <T, V>(items: Iterable<T>, id: (item: T) => string, view: (item: T) => V): Record<string, V> =>
      Object.fromEntries([...items].map((item) => [id(item), view(item)]));
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
    };
  }
}

/** Every configured app's state. Apps are fixed at start; their state is cleared by a reset. */
export class ZegoWorld {
  private apps = new Map<number, ZegoApp>();

  constructor(private readonly configs: ReadonlyMap<number, ZegoAppConfig>) {
    this.reset();
  }

  app(appId: number): ZegoApp | undefined {
    return this.apps.get(appId);
  }

  reset(): void {
    this.apps = new Map([...this.configs].map(([appId, config]) => [appId, new ZegoApp(config)]));
  }

  /** By AppId as a decimal string. */
  dump(): Record<string, ZegoAppState> {
    return Object.fromEntries([...this.apps].map(([appId, app]) => [String(appId), app.dump()]));
  }
}
