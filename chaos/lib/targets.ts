/**
 * Live streams for the takedowns to remove: seeded into the sandbox (ZEGO rooms with a publisher, a
 * viewer and sometimes a mix task; Agora stream keys with a live encoder) and the request for each.
 * Every target is unique to its run and scenario, so the request log can be read per target.
 */
import type { TakedownRequest } from '../../src/workflows/request';
import type { Rng } from './rng';
import type { ChaosSandbox } from './sandbox';

export const AGORA_REGIONS = ['na', 'eu', 'ap', 'cn'] as const;

export interface ZegoTarget {
  provider: 'zego';
  key: string;
  appId: number;
  roomId: string;
  streamId: string;
  userId: string;
  mixTaskIds: string[];
}

export interface AgoraTarget {
  provider: 'agora';
  key: string;
  appId: string;
  region: (typeof AGORA_REGIONS)[number];
  streamKey: string;
  channel: string;
  /** Sessions seen for this key (seeded, and any the encoder opened later). */
  sids: Set<string>;
}

export type Target = ZegoTarget | AgoraTarget;

export interface SeededTarget {
  target: Target;
  request: TakedownRequest;
}

export interface SeedOptions {
  sandbox: ChaosSandbox;
  rng: Rng;
  /** Unique per run and scenario; also the violation id prefix. */
  prefix: string;
  count: number;
  zegoAppId: number;
  agoraAppIds: readonly string[];
}

/** Seeds `count` targets, alternating providers, and returns them with their takedown requests. */
export async function seedTargets(options: SeedOptions): Promise<SeededTarget[]> {
  const { rng, prefix, sandbox } = options;
  const seeded: SeededTarget[] = [];
  const rooms = [];
  const mixTasks = [];
  const agoraGroups = new Map<string, { appId: string; region: AgoraTarget['region']; keys: { streamKey: string; channel: string; uid: string; port: boolean }[] }>();

  for (let n = 0; n < options.count; n++) {
    const violationId = `${prefix}${String(n).padStart(4, '0')}`;
    const base = { violationId, reason: rng.pick(['violent content (score 0.97)', 'nudity (score 0.91)', 'hate speech — 仇恨言论 (0.88)']), category: 'chaos' };
    if (n % 2 === 0) {
      const roomId = `${prefix}room-${n}`;
      const userId = `host-${n}`;
      const streamId = `stream-${n}`;
      const mixTaskIds = rng.chance(0.3) ? [`${prefix}mix-${n}`] : [];
      rooms.push({ roomId, users: [userId, `viewer-${n}`], streams: [{ streamId, userId }] });
      for (const taskId of mixTaskIds) mixTasks.push({ taskId, ownerUserId: `mixer-${n}`, inputStreamIds: [streamId] });
      const target: ZegoTarget = { provider: 'zego', key: `zego:${roomId}`, appId: options.zegoAppId, roomId, streamId, userId, mixTaskIds };
      seeded.push({
        target,
        request: {
          ...base,
          target: { provider: 'zego', appId: options.zegoAppId, roomId, streamId, userId, mixTasks: mixTaskIds.map((taskId) => ({ taskId, userId: `mixer-${n}` })) },
        },
      });
    } else {
      const appId = rng.pick(options.agoraAppIds);
      const region = rng.pick(AGORA_REGIONS);
      const streamKey = Array.from({ length: 32 }, () => rng.int(0, 15).toString(16)).join('');
      const channel = `${prefix}ch-${n}`;
      const group = agoraGroups.get(`${appId}/${region}`) ?? { appId, region, keys: [] };
      group.keys.push({ streamKey, channel, uid: String(1000 + n), port: rng.chance(0.2) });
      agoraGroups.set(`${appId}/${region}`, group);
      const target: AgoraTarget = { provider: 'agora', key: `agora:${streamKey}`, appId, region, streamKey, channel, sids: new Set() };
      seeded.push({
        target,
        request: { ...base, target: { provider: 'agora', appId, region, streamKey, ...(rng.chance(0.5) ? { channel } : {}) } },
      });
    }
  }

  if (rooms.length) await sandbox.control.seedZego({ appId: options.zegoAppId, rooms, mixTasks });
  const byKey = new Map(seeded.flatMap((s) => (s.target.provider === 'agora' ? [[s.target.streamKey, s.target] as const] : [])));
  for (const group of agoraGroups.values()) {
    const { sessions } = await sandbox.control.seedAgora({ appId: group.appId, region: group.region, streamKeys: group.keys });
    for (const { streamKey, sid } of sessions) byKey.get(streamKey)?.sids.add(sid);
  }
  // Some requests name the session, as a classifier that saw it would; the rest let the worker find it.
  for (const s of seeded) {
    if (s.target.provider === 'agora' && s.request.target.provider === 'agora' && rng.chance(0.15)) {
      s.request.target.sid = [...s.target.sids][0];
    }
  }
  return seeded;
}
