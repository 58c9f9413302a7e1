/**
 * Agora Media Gateway state per (App ID, region): stream keys, live sessions, and a simulated
 * encoder per seeded key. The encoder is what makes the takedown order matter (agora.md §10): after
 * a forced disconnect it comes back under a new sid, unless its key is gone by then.
 */
import { randomUUID } from 'node:crypto';
import type { EncoderEvent, SandboxState, SeedAgora, SeedAgoraResult } from '../control-schemas';
import { KickingRules, kickingRuleWire, ruleMatches, type KickingRule } from './kicking-rules';
import type { AgoraRegion } from '../operations';
import { preciseNow } from '../request-log';
import { Timers } from '../timers';
import { RtcUsers } from './rtc-users';

/** A stream key as Agora stores it. */
export interface StreamKeyRecord {
  streamKey: string;
  channel: string;
  uid: string;
  /** Unix seconds, as Agora reports `createdAt`. */
  createdAt: number;
}

/** A live ingest session (agora.md §4.6). */
export interface Session {
  sid: string;
  streamKey: string;
  channel: string;
  uid: string;
  url: string;
  status: 'Started' | 'Running';
  beginAtMs: number;
  bitrate: number;
  video?: { width: number; height: number; fps: number };
  audio?: { channels: number; sampleRate: number };
}

/** An encoder (OBS…) pushing with one key; it outlives the key's deletion, as a real one would. */
interface Encoder {
  streamKey: string;
  channel: string;
  uid: string;
  /** Whether its session urls carry `:1935`. */
  port: boolean;
  /** Its current session, if connected. */
  sid?: string;
}

/** One App ID in one region. */
export class AgoraProject {
  readonly keys = new Map<string, StreamKeyRecord>();
  readonly sessions = new Map<string, Session>();
  readonly encoders = new Map<string, Encoder>();

  constructor(
    readonly appId: string,
    readonly region: AgoraRegion,
  ) {}

  dump(): Pick<SandboxState['agora'], 'streamKeys' | 'sessions' | 'encoders'> {
    const scope = { appId: this.appId, region: this.region };
    return {
      streamKeys: [...this.keys.values()].map((key) => ({ ...scope, ...key })),
      sessions: [...this.sessions.values()].map((session) => ({
        ...scope,
        sid: session.sid,
        streamKey: session.streamKey,
        channel: session.channel,
        uid: session.uid,
        url: session.url,
        status: session.status,
        beginAt: agoraTime(session.beginAtMs),
      })),
      encoders: [...this.encoders.values()].map((encoder) => ({
        ...scope,
        streamKey: encoder.streamKey,
        ...(encoder.sid === undefined ? {} : { sid: encoder.sid }),
      })),
    };
  }
}

/** Agora's `beginAt` format, `YYYY-MM-DD HH:mm:ss.SSS` (agora.md §4.6); UTC is inferred. */
export function agoraTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

/** The ingest host a session url starts with (agora.md §1). */
function ingestDomain(region: AgoraRegion): string {
  return `rtls-ingress-prod-${region}.agoramdn.com`;
}

/** What a seeded, streaming session reports; a reconnected one starts without media stats ('Started'). */
const RUNNING_MEDIA = {
  bitrate: 2500,
  video: { width: 1280, height: 720, fps: 30 },
  audio: { channels: 2, sampleRate: 48_000 },
} as const;

/** Encoder events kept; the oldest go first, so a long benchmark stays bounded. */
const MAX_ENCODER_EVENTS = 100_000;

export interface AgoraWorldOptions {
  /** Provider clock: key createdAt, session beginAt, rule expiry. */
  now: () => number;
  /** Read at each forced disconnect, so `configure` applies to the next one. */
  reconnectDelayMs: () => number;
}

/** Every App ID and region, the kicking rules, the simulated RTC users, and the encoder event log. */
export class AgoraWorld {
  private projects = new Map<string, AgoraProject>();
  private readonly timers = new Timers();
  readonly rules = new KickingRules();
  readonly rtcUsers: RtcUsers;
  events: EncoderEvent[] = [];

  constructor(private readonly options: AgoraWorldOptions) {
    this.rtcUsers = new RtcUsers(this.rules, this.timers, options.now);
  }

  /** The state of one App ID in one region, created on first use. */
  project(appId: string, region: AgoraRegion): AgoraProject {
    const id = `${region}/${appId}`;
    let project = this.projects.get(id);
    if (project === undefined) {
      project = new AgoraProject(appId, region);
      this.projects.set(id, project);
    }
    return project;
  }

  seed(seed: SeedAgora): SeedAgoraResult {
    const project = this.project(seed.appId, seed.region);
    const sessions: SeedAgoraResult['sessions'] = [];
    for (const key of seed.streamKeys) {
      const previous = project.encoders.get(key.streamKey);
      if (previous?.sid !== undefined) project.sessions.delete(previous.sid);
      project.keys.set(key.streamKey, {
        streamKey: key.streamKey,
        channel: key.channel,
        uid: key.uid,
        createdAt: Math.floor(this.options.now() / 1000),
      });
      const encoder: Encoder = { streamKey: key.streamKey, channel: key.channel, uid: key.uid, port: key.port };
      project.encoders.set(key.streamKey, encoder);
      if (key.live) sessions.push({ streamKey: key.streamKey, sid: this.connect(project, encoder, 'seeded') });
    }
    return { sessions };
  }

  /** Deleting a key does not end a push in progress (agora.md §4.5); it only stops the next connection. */
  deleteKey(project: AgoraProject, streamKey: string): boolean {
    return project.keys.delete(streamKey);
  }

  /** Ends a session; its encoder tries to come back after the reconnect delay. */
  forceDisconnect(project: AgoraProject, sid: string, reason = 'force-disconnect'): boolean {
    const session = project.sessions.get(sid);
    if (session === undefined) return false;
    project.sessions.delete(sid);
    this.record(project, session.streamKey, 'disconnected', sid, reason);
    const encoder = project.encoders.get(session.streamKey);
    if (encoder?.sid === sid) {
      encoder.sid = undefined;
      this.scheduleReconnect(project, encoder, sid);
    }
    return true;
  }

  /**
   * The encoder drops its session (if any) and reconnects at once. False when no encoder was seeded
   * for the key.
   */
  reconnectEncoder(appId: string, region: AgoraRegion, streamKey: string): boolean {
    const project = this.project(appId, region);
    const encoder = project.encoders.get(streamKey);
    if (encoder === undefined) return false;
    const previousSid = encoder.sid;
    if (previousSid !== undefined) {
      project.sessions.delete(previousSid);
      encoder.sid = undefined;
      this.record(project, streamKey, 'disconnected', previousSid, 'control');
    }
    this.tryReconnect(project, encoder, previousSid, 'control');
    return true;
  }

  /**
   * A `join_channel` rule, created or renewed, kicks the matching hosts and RTC users now; the
   * encoders and users then try to come back.
   */
  applyKickingRule(rule: KickingRule): void {
    if (!rule.privileges.includes('join_channel')) return;
    for (const project of this.projects.values()) {
      if (project.appId !== rule.appid) continue;
      for (const session of [...project.sessions.values()]) {
        if (ruleMatches(rule, session)) this.forceDisconnect(project, session.sid, 'kicking-rule');
      }
    }
    this.rtcUsers.apply(rule);
  }

  reset(): void {
    this.close();
    this.projects = new Map();
    this.rules.clear();
    this.rtcUsers.clear();
    this.events = [];
  }

  /** Cancels pending reconnects and rejoins. */
  close(): void {
    this.timers.clear();
  }

  dump(): SandboxState['agora'] {
    const projects = [...this.projects.values()].map((project) => project.dump());
    return {
      streamKeys: projects.flatMap((project) => project.streamKeys),
      sessions: projects.flatMap((project) => project.sessions),
      encoders: projects.flatMap((project) => project.encoders),
      kickingRules: this.rules.all().map(kickingRuleWire),
    };
  }

  private scheduleReconnect(project: AgoraProject, encoder: Encoder, previousSid: string): void {
    this.timers.after(this.options.reconnectDelayMs(), () => {
      // A reseed replaces the encoder: the old one is gone and must not come back.
      if (project.encoders.get(encoder.streamKey) === encoder) this.tryReconnect(project, encoder, previousSid, 'reconnect');
    });
  }

  private tryReconnect(project: AgoraProject, encoder: Encoder, previousSid: string | undefined, reason: string): void {
    if (encoder.sid !== undefined) return; // already back by another path
    if (!project.keys.has(encoder.streamKey)) {
      this.record(project, encoder.streamKey, 'reconnect-refused', previousSid, 'key-deleted');
      return;
    }
    // The gateway joins the channel as the key's uid, so a uid or channel ban keeps it out (agora.md §7.6, inferred).
    const rule = this.rules.banning(project.appId, { channel: encoder.channel, uid: encoder.uid }, this.options.now());
    if (rule !== undefined) this.record(project, encoder.streamKey, 'reconnect-refused', previousSid, 'banned', rule.id);
    else this.connect(project, encoder, reason);
  }

  /** Opens a new session under a fresh sid; a seeded one is already streaming, a reconnected one has just started. */
  private connect(project: AgoraProject, encoder: Encoder, reason: string): string {
    const sid = randomUUID();
    const running = reason === 'seeded';
    const session: Session = {
      sid,
      streamKey: encoder.streamKey,
      channel: encoder.channel,
      uid: encoder.uid,
      url: `${ingestDomain(project.region)}${encoder.port ? ':1935' : ''}/live/${encoder.streamKey}`,
      status: running ? 'Running' : 'Started',
      beginAtMs: this.options.now(),
      ...(running ? RUNNING_MEDIA : { bitrate: 0 }),
    };
    project.sessions.set(sid, session);
    encoder.sid = sid;
    this.record(project, encoder.streamKey, 'connected', sid, reason);
    return sid;
  }

  private record(
    project: AgoraProject,
    streamKey: string,
    event: EncoderEvent['event'],
    sid: string | undefined,
    reason: string,
    ruleId?: number,
  ): void {
    if (this.events.length >= MAX_ENCODER_EVENTS) this.events.shift();
    this.events.push({
      at: preciseNow(),
      appId: project.appId,
      region: project.region,
      streamKey,
      event,
      ...(sid === undefined ? {} : { sid }),
      reason,
      ...(ruleId === undefined ? {} : { ruleId }),
    });
  }
}
