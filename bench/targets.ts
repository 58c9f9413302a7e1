/**
 * Fresh, uniquely named streams for every takedown, seeded into the sandbox in bulk before timing,
 * and the token that ties each logged provider request back to its takedown.
 */
import type { SandboxControl, SandboxRequest } from '../src/sandbox';
import type { ProviderName } from '../src/providers/types';
import type { AgoraTargetInput, TakedownRequest, ZegoTargetInput } from '../src/workflows/request';
import { BENCH_AGORA_APP_ID } from './stack';

/** One seeded stream and the takedown request that removes it. */
export interface BenchTarget {
  /** Unique across the run; every provider request of this takedown carries it in some parameter. */
  token: string;
  flow: ProviderName;
  request: TakedownRequest & { target: ZegoTargetInput | AgoraTargetInput };
  /** Agora: the live session seeded for the key (passed as `sid`, so no lookup precedes the disconnect). */
  sid?: string;
  streamKey?: string;
}

/** Seeds per control call: keeps each body far below the sandbox's 1 MiB limit. */
const SEED_CHUNK = 500;

let batch = 0;

/**
 * Seeds `count` streams and returns their takedown requests. ZEGO: a room with the publisher and a
 * mix task fed by the stream (DeleteStream, StopMix, KickoutUser). Agora: a live stream key in a
 * channel of its own (DeleteStreamKey, ForceDisconnect, then the recheck list filtered by channel).
 */
export async function seedTargets(control: SandboxControl, flow: ProviderName, count: number, appId?: number): Promise<BenchTarget[]> {
  const prefix = `b${++batch}`;
  const targets: BenchTarget[] = [];
  for (let from = 0; from < count; from += SEED_CHUNK) {
    const ids = Array.from({ length: Math.min(SEED_CHUNK, count - from) }, (_, k) => `${prefix}n${from + k}`);
    if (flow === 'zego') {
      const app = appId!;
      await control.seedZego({
        appId: app,
        rooms: ids.map((id) => ({ roomId: id, users: [`host-${id}`], streams: [{ streamId: `s-${id}`, userId: `host-${id}` }] })),
        mixTasks: ids.map((id) => ({ taskId: id, ownerUserId: 'mix-owner', inputStreamIds: [`s-${id}`] })),
      });
      for (const id of ids) {
        targets.push({
          token: id,
          flow,
          request: {
            violationId: `bench-${id}`,
            reason: 'benchmark',
            target: { provider: 'zego', appId: app, roomId: id, streamId: `s-${id}`, userId: `host-${id}`, mixTasks: [{ taskId: id, userId: 'mix-owner' }] },
          },
        });
      }
    } else {
      const { sessions } = await control.seedAgora({
        appId: BENCH_AGORA_APP_ID,
        region: 'na',
        streamKeys: ids.map((id, k) => ({ streamKey: `key-${id}`, channel: id, uid: from + k + 1 })),
      });
      const sidOf = new Map(sessions.map((s) => [s.streamKey, s.sid]));
      for (const id of ids) {
        const sid = sidOf.get(`key-${id}`)!;
        targets.push({
          token: id,
          flow,
          sid,
          streamKey: `key-${id}`,
          request: {
            violationId: `bench-${id}`,
            target: { provider: 'agora', appId: BENCH_AGORA_APP_ID, region: 'na', streamKey: `key-${id}`, sid, channel: id },
          },
        });
      }
    }
  }
  return targets;
}

/** Per takedown token: the arrival of its enforcing request (KickoutUser / ForceDisconnect) and of its last request. */
export interface Arrivals {
  /** The last step's request: what actually cuts the stream. */
  enforced: number;
  /** The last provider request of any kind (Agora: the recheck list after the disconnect). */
  last: number;
  requests: number;
}

/** Maps a logged request back to its takedown's token, through whichever parameter names it. */
function tokenOf(entry: SandboxRequest, sidToToken: Map<string, string>): string | undefined {
  const p = entry.params;
  if (p.roomId) return p.roomId;
  if (p.taskId) return p.taskId;
  if (p.channel) return p.channel;
  if (p.streamKey) return p.streamKey.replace(/^key-/, '');
  if (p.sid) return sidToToken.get(p.sid);
  return undefined;
}

/** The step whose request actually cuts the stream in each flow. */
const ENFORCING = new Set(['KickoutUser', 'ForceDisconnect']);

/** Arrival times per token from the sandbox's request log. */
export function arrivalsByToken(log: readonly SandboxRequest[], targets: readonly BenchTarget[]): Map<string, Arrivals> {
  const sidToToken = new Map(targets.filter((t) => t.sid).map((t) => [t.sid!, t.token]));
  const out = new Map<string, Arrivals>();
  for (const entry of log) {
    const token = tokenOf(entry, sidToToken);
    if (!token) continue;
    const a = out.get(token) ?? { enforced: 0, last: 0, requests: 0 };
    a.requests++;
    a.last = Math.max(a.last, entry.at);
    if (ENFORCING.has(entry.operation)) a.enforced = Math.max(a.enforced, entry.at);
    out.set(token, a);
  }
  return out;
}
