/** Typed client of the sandbox's control API (`/_sandbox/…`), for tests, the dev stack and the benchmark. */
import { request } from 'undici';
import type {
  AddAgoraRtcUserInput,
  AddZegoClientInput,
  AgoraRtcUserState,
  FaultAnswer,
  InjectFaultInput,
  ProviderRules,
  ReconnectEncoderInput,
  RequestFilter,
  SandboxConfigState,
  SandboxRequest,
  SandboxState,
  SeedAgoraInput,
  SeedAgoraResult,
  SeedZegoInput,
  SimulatedClients,
  ZegoClientState,
} from './control-schemas';
import type { RuleCaps } from './rule-caps';

export type {
  AddAgoraRtcUserInput,
  AddZegoClientInput,
  AgoraRtcUserState,
  FaultAnswer,
  InjectFaultInput,
  ProviderRules,
  ReconnectEncoderInput,
  RequestFilter,
  SandboxConfigState,
  SandboxRequest,
  SandboxState,
  SeedAgoraInput,
  SeedAgoraResult,
  SeedZegoInput,
  SimulatedClients,
  ZegoClientState,
};

/** What `configure` changes; any field left out keeps its value. */
export interface SandboxTunables {
  /** Added to every provider answer. */
  latencyMs?: number;
  /** Per bucket (e.g. `'zego.DeleteStream'`, `'agora.delete'`); `Infinity` lifts a limit. */
  rateLimits?: Partial<Record<string, number>>;
  encoderReconnectDelayMs?: number;
  /** Bounds on one ban rule's length, e.g. `{ zegoMaxEffectiveTimeSeconds: 3, agoraMinRuleSeconds: 1, agoraMaxRuleSeconds: 3 }`. */
  ruleCaps?: Partial<RuleCaps>;
}

/** The control API refused a call (bad seed, unknown bucket…) or failed. */
export class SandboxControlError extends Error {
  readonly code = 'SANDBOX_CONTROL_ERROR';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'SandboxControlError';
  }
}

/** Drives a sandbox through its control API; every method is one HTTP call. */
export class SandboxControl {
  private readonly base: string;

  /** @param baseUrl the sandbox's address, e.g. `http://127.0.0.1:8790`. */
  constructor(baseUrl: string) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** Clears provider state, the request log, faults and rate-limit counts; keeps configuration. */
  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }

  /** Adds rooms (replacing any of the same id) and mix tasks to a configured ZEGO app. */
  async seedZego(seed: SeedZegoInput): Promise<void> {
    await this.call('POST', 'zego/seed', seed);
  }

  /** Adds stream keys and their encoders; live ones (the default) connect at once. */
  seedAgora(seed: SeedAgoraInput): Promise<SeedAgoraResult> {
    return this.call('POST', 'agora/seed', seed);
  }

  /** The request log in arrival order, optionally filtered. */
  requests(filter: RequestFilter = {}): Promise<SandboxRequest[]> {
    const query = new URLSearchParams(Object.entries(filter).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const suffix = query.size > 0 ? `?${query.toString()}` : '';
    return this.call('GET', `requests${suffix}`);
  }

  /** The next `count` (default 1) requests of the operation get `answer` once authenticated. */
  async injectFault(fault: InjectFaultInput): Promise<void> {
    await this.call('POST', 'faults', fault);
  }

  /** Changes latency, rate limits, the encoder's reconnect delay or the rule caps; returns the effective configuration. */
  configure(tunables: SandboxTunables): Promise<SandboxConfigState> {
    const rateLimits =
      tunables.rateLimits === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(tunables.rateLimits)
              .filter((entry): entry is [string, number] => entry[1] !== undefined)
              // JSON has no Infinity: null stands for "no limit" on the wire.
              .map(([name, limit]) => [name, limit === Infinity ? null : limit]),
          );
    return this.call('POST', 'config', { ...tunables, ...(rateLimits === undefined ? {} : { rateLimits }) });
  }

  /** The effective configuration. */
  config(): Promise<SandboxConfigState> {
    return this.call('GET', 'config');
  }

  /** A JSON dump of every provider's state and the encoder events. */
  state(): Promise<SandboxState> {
    return this.call('GET', 'state');
  }

  /** The key's encoder drops its session and reconnects at once under a new sid, if its key still exists. */
  async reconnectEncoder(target: ReconnectEncoderInput): Promise<void> {
    await this.call('POST', 'agora/reconnect-encoder', target);
  }

  /**
   * Adds a ZEGO publisher with a simulated client: it logs in to the room (created if absent) and
   * publishes `streamId` now, and after a KickoutUser it tries again by its `rejoin` policy, refused
   * while a user-ban rule holds. Returns the client with its first attempt.
   */
  addZegoClient(client: AddZegoClientInput): Promise<ZegoClientState> {
    return this.call('POST', 'zego/clients', client);
  }

  /**
   * Adds an Agora RTC user in a channel: it joins now, and after a `join_channel` kicking rule kicks
   * it, it tries to rejoin by its `rejoin` policy, refused while a rule holds.
   */
  addAgoraRtcUser(user: AddAgoraRtcUserInput): Promise<AgoraRtcUserState> {
    return this.call('POST', 'agora/rtc-users', user);
  }

  /** Every simulated ZEGO client and Agora RTC user, with its kicks and join attempts. */
  clients(): Promise<SimulatedClients> {
    return this.call('GET', 'clients');
  }

  /** Every stored ZEGO user-ban rule and Agora kicking rule, with its expiry and whether it is in force. */
  rules(): Promise<ProviderRules> {
    return this.call('GET', 'rules');
  }

  private async call<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const response = await request(`${this.base}/_sandbox/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new SandboxControlError(`sandbox control ${method} ${route}: ${response.statusCode} ${message}`, response.statusCode);
    }
    return JSON.parse(text) as T;
  }
}
