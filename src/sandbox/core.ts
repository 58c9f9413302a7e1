/** Everything one sandbox holds: configuration, provider state, the request log, faults and limiters. */
import { AgoraWorld } from './agora/state';
import type { AgoraAccount } from './agora/auth';
import type { AgoraContext } from './agora/handler';
import type { SandboxConfigState } from './control-schemas';
import { FaultQueue } from './faults';
import { DEFAULT_RATE_LIMITS, isBucketName, RateLimiter } from './rate-limits';
import { RequestLog } from './request-log';
import { DEFAULT_RULE_CAPS, mergeRuleCaps, type RuleCaps } from './rule-caps';
import { Timers } from './timers';
import type { ZegoAppConfig } from './zego/gateway';
import type { ZegoContext } from './zego/handler';
import { ZegoWorld } from './zego/state';

/** Resolved start options (see `SandboxOptions` for the defaults). */
export interface CoreOptions {
  zegoApps: readonly ZegoAppConfig[];
  agoraAccounts: readonly AgoraAccount[];
  latencyMs: number;
  encoderReconnectDelayMs: number;
  rateLimits: Partial<Record<string, number>>;
  /** Default: {@link DEFAULT_RULE_CAPS}. */
  ruleCaps?: Partial<RuleCaps>;
  now: () => number;
}

/** What may change while running; `Infinity` in `rateLimits` lifts a limit. */
export interface Tunables {
  latencyMs?: number;
  encoderReconnectDelayMs?: number;
  rateLimits?: Partial<Record<string, number>>;
  ruleCaps?: Partial<RuleCaps>;
}

/** Owns one sandbox's config and state; the HTTP server and the control API both act on it. */
export class SandboxCore {
  readonly log = new RequestLog();
  readonly faults = new FaultQueue();
  readonly limiter = new RateLimiter();
  readonly zego: ZegoContext;
  readonly agora: AgoraContext;
  latencyMs = 0;
  encoderReconnectDelayMs = 0;
  ruleCaps: RuleCaps = { ...DEFAULT_RULE_CAPS };

  constructor(options: CoreOptions) {
    this.configure({
      latencyMs: options.latencyMs,
      encoderReconnectDelayMs: options.encoderReconnectDelayMs,
      rateLimits: options.rateLimits,
      ruleCaps: options.ruleCaps,
    });
    const apps = new Map(options.zegoApps.map((app) => [app.appId, { ...app }]));
    if (apps.size !== options.zegoApps.length) throw new Error('a ZEGO appId is configured twice');
    const ruleCaps = (): RuleCaps => this.ruleCaps;
    this.zego = {
      apps,
      world: new ZegoWorld(apps, { now: options.now, timers: new Timers(), ruleCaps }),
      limiter: this.limiter,
      faults: this.faults,
      now: options.now,
    };
    this.agora = {
      accounts: new Map(options.agoraAccounts.map((account) => [account.customerId, account.customerSecret])),
      world: new AgoraWorld({ now: options.now, reconnectDelayMs: () => this.encoderReconnectDelayMs }),
      limiter: this.limiter,
      faults: this.faults,
      now: options.now,
      ruleCaps,
    };
  }

  /** Changes tunables; throws on a bad value, before changing anything. */
  configure(tunables: Tunables): void {
    const { latencyMs, encoderReconnectDelayMs, rateLimits } = tunables;
    for (const [name, value] of Object.entries({ latencyMs, encoderReconnectDelayMs })) {
      if (value !== undefined && !(value >= 0 && Number.isFinite(value))) throw new Error(`${name} must be a finite number >= 0`);
    }
    const unknown = Object.keys(rateLimits ?? {}).filter((name) => !isBucketName(name));
    if (unknown.length > 0) throw new Error(`unknown rate-limit bucket(s) ${unknown.join(', ')}; known: ${Object.keys(DEFAULT_RATE_LIMITS).join(', ')}`);
    const ruleCaps = mergeRuleCaps(this.ruleCaps, tunables.ruleCaps ?? {});
    if (rateLimits !== undefined) this.limiter.override(rateLimits);
    if (latencyMs !== undefined) this.latencyMs = latencyMs;
    if (encoderReconnectDelayMs !== undefined) this.encoderReconnectDelayMs = encoderReconnectDelayMs;
    this.ruleCaps = ruleCaps;
  }

  /** Clears provider state, the log, faults and rate-limit counts; configuration stays. */
  reset(): void {
    this.zego.world.reset();
    this.agora.world.reset();
    this.log.clear();
    this.faults.clear();
    this.limiter.clear();
  }

  config(): SandboxConfigState {
    const rateLimits: SandboxConfigState['rateLimits'] = {};
    for (const name of Object.keys(DEFAULT_RATE_LIMITS)) {
      if (!isBucketName(name)) continue;
      const rule = this.limiter.rule(name);
      rateLimits[name] = { limit: rule.limit === Infinity ? null : rule.limit, windowMs: rule.windowMs };
    }
    return { latencyMs: this.latencyMs, encoderReconnectDelayMs: this.encoderReconnectDelayMs, rateLimits, ruleCaps: { ...this.ruleCaps } };
  }

  /** Cancels every pending encoder reconnect and client retry. */
  close(): void {
    this.zego.world.close();
    this.agora.world.close();
  }
}
