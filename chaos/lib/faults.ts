/** Fault policies for the chaos sandbox: a provider storm and a full outage. */
import type { FaultAnswer } from '../../src/sandbox/control-schemas';
import { performance } from 'node:perf_hooks';
import type { Rng } from './rng';
import type { FaultPolicy } from './sandbox';

export interface StormOptions {
  rng: Rng;
  /** Share of requests answered with a 5xx (500, 502, 503 or 504). */
  serverErrorRate: number;
  /** Share of requests whose connection is dropped without an answer. */
  dropRate: number;
  /** Share of requests answered late. */
  latencySpikeRate: number;
  latencySpikeMs: readonly [number, number];
  /** A throttling burst starts this often (ms) and lasts `burstMs`: every request in it is throttled. */
  burstEveryMs: number;
  burstMs: number;
}

/** What the storm did, by kind, for the report. */
export type StormCounts = Record<'serverError' | 'serverErrorAfterEffect' | 'drop' | 'dropAfterEffect' | 'latencySpike' | 'throttleBurst' | 'healthy', number>;

/**
 * A provider storm: per request, at random, a 5xx or a dropped connection (half of them after the
 * operation took effect, so the answer is lost and the retry finds the work done), a latency
 * spike, or a healthy answer; and periodic bursts in which every request is throttled
 * (ZEGO 206 / StopMix 110200191, Agora 429 with Retry-After: 1).
 */
export function stormPolicy(options: StormOptions): { policy: FaultPolicy; counts: StormCounts } {
  const { rng } = options;
  const counts: StormCounts = { serverError: 0, serverErrorAfterEffect: 0, drop: 0, dropAfterEffect: 0, latencySpike: 0, throttleBurst: 0, healthy: 0 };
  const started = performance.now();
  const policy: FaultPolicy = (provider, operation) => {
    const inBurst = (performance.now() - started) % options.burstEveryMs < options.burstMs;
    if (inBurst) {
      counts.throttleBurst++;
      if (provider === 'agora') return { status: 429, retryAfterSeconds: 1 };
      return { zegoCode: operation === 'StopMix' ? 110200191 : 206 };
    }
    const roll = rng();
    const afterEffect = rng.chance(0.5);
    if (roll < options.serverErrorRate) {
      counts[afterEffect ? 'serverErrorAfterEffect' : 'serverError']++;
      return { status: rng.pick([500, 502, 503, 504]), afterEffect } satisfies FaultAnswer;
    }
    if (roll < options.serverErrorRate + options.dropRate) {
      counts[afterEffect ? 'dropAfterEffect' : 'drop']++;
      return { drop: true, afterEffect };
    }
    if (roll < options.serverErrorRate + options.dropRate + options.latencySpikeRate) {
      counts.latencySpike++;
      return { latencyMs: Math.round(rng.between(...options.latencySpikeMs)) };
    }
    counts.healthy++;
    return undefined;
  };
  return { policy, counts };
}

/** Every provider answers 503 (the operation does not happen) while the policy is installed. */
export function outagePolicy(): { policy: FaultPolicy; counts: { answered503: number } } {
  const counts = { answered503: 0 };
  return {
    counts,
    policy: () => {
      counts.answered503++;
      return { status: 503 };
    },
  };
}
