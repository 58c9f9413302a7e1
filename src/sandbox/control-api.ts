/**
 * The control API under `/_sandbox/`: seeding, the request log, faults, configuration, state, the
 * encoder, the simulated clients and the ban rules. It is not a provider: no auth, no latency, not
 * logged.
 */
import type { z } from 'zod';
import { kickingRuleWire, ruleInForce } from './agora/kicking-rules';
import {
  addAgoraRtcUserSchema,
  addZegoClientSchema,
  configureSchema,
  injectFaultSchema,
  reconnectEncoderSchema,
  requestFilterSchema,
  seedAgoraSchema,
  seedZegoSchema,
  type ProviderRules,
  type SandboxState,
  type SimulatedClients,
} from './control-schemas';
import type { SandboxCore } from './core';
import { jsonAnswer, type Answer } from './exchange';
import { parseJsonBody, parseQuery } from './http-util';
import { forbidRuleState } from './zego/forbid-rules';

/** Paths under this prefix are the control API, not a provider. */
export const CONTROL_PREFIX = '/_sandbox/';

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    throw new ControlError(400, problems.join('; '));
  }
  return result.data;
}

interface ControlRequest {
  body: unknown;
  query: Record<string, string>;
}

type ControlRoute = (core: SandboxCore, request: ControlRequest) => unknown;

const ROUTES: Readonly<Record<string, ControlRoute>> = {
  'POST reset': (core) => {
    core.reset();
    return { ok: true };
  },
  'POST zego/seed': (core, { body }) => {
    const seed = parse(seedZegoSchema, body);
    const app = core.zego.world.app(seed.appId);
    if (app === undefined) throw new ControlError(400, `ZEGO app ${seed.appId} is not configured in this sandbox`);
    try {
      app.seed(seed, core.zego.now());
    } catch (error) {
      throw new ControlError(400, (error as Error).message);
    }
    return { ok: true };
  },
  'POST agora/seed': (core, { body }) => core.agora.world.seed(parse(seedAgoraSchema, body)),
  'GET requests': (core, { query }) => core.log.list(parse(requestFilterSchema, query)),
  'POST faults': (core, { body }) => {
    core.faults.inject(parse(injectFaultSchema, body));
    return { ok: true };
  },
  'POST config': (core, { body }) => {
    const wire = parse(configureSchema, body);
    const rateLimits = Object.fromEntries(Object.entries(wire.rateLimits ?? {}).map(([name, limit]) => [name, limit ?? Infinity]));
    try {
      core.configure({ ...wire, rateLimits });
    } catch (error) {
      throw new ControlError(400, (error as Error).message);
    }
    return core.config();
  },
  'GET config': (core) => core.config(),
  'GET state': (core): SandboxState => ({
    zego: core.zego.world.dump(),
    agora: core.agora.world.dump(),
    encoderEvents: [...core.agora.world.events],
    clients: clients(core),
  }),
  'POST zego/clients': (core, { body }) => {
    const { appId, ...spec } = parse(addZegoClientSchema, body);
    const app = core.zego.world.app(appId);
    if (app === undefined) throw new ControlError(400, `ZEGO app ${appId} is not configured in this sandbox`);
    try {
      return app.clients.add(spec);
    } catch (error) {
      throw new ControlError(400, (error as Error).message);
    }
  },
  'POST agora/rtc-users': (core, { body }) => core.agora.world.rtcUsers.add(parse(addAgoraRtcUserSchema, body)),
  'GET clients': (core) => clients(core),
  'GET rules': (core): ProviderRules => {
    const nowMs = core.zego.now();
    return {
      zego: core.zego.world.all().flatMap((app) => app.rules.all(nowMs).map((rule) => forbidRuleState(app.appId, rule, nowMs))),
      agora: core.agora.world.rules.all().map((rule) => ({ ...kickingRuleWire(rule), customerId: rule.customerId, active: ruleInForce(rule, core.agora.now()) })),
    };
  },
  'POST agora/reconnect-encoder': (core, { body }) => {
    const { appId, region, streamKey } = parse(reconnectEncoderSchema, body);
    if (!core.agora.world.reconnectEncoder(appId, region, streamKey)) {
      throw new ControlError(404, `no encoder was seeded for that key in ${appId}/${region}`);
    }
    return { ok: true };
  },
};

function clients(core: SandboxCore): SimulatedClients {
  return { zego: core.zego.world.all().flatMap((app) => app.clients.dump()), agora: core.agora.world.rtcUsers.dump() };
}

/** Answers one control request. */
export function handleControl(core: SandboxCore, method: string, path: string, rawQuery: string, body: Buffer): Answer {
  const route = ROUTES[`${method} ${path.slice(CONTROL_PREFIX.length)}`];
  if (route === undefined) return jsonAnswer(404, { error: `no control route ${method} ${path}` });
  try {
    let parsedBody: unknown;
    try {
      parsedBody = parseJsonBody(body);
    } catch {
      throw new ControlError(400, 'body is not JSON');
    }
    const query = Object.fromEntries([...parseQuery(rawQuery)].map(([name, values]) => [name, values[0] ?? '']));
    return jsonAnswer(200, route(core, { body: parsedBody ?? {}, query }) ?? { ok: true });
  } catch (error) {
    if (error instanceof ControlError) return jsonAnswer(error.status, { error: error.message });
    throw error;
  }
}
