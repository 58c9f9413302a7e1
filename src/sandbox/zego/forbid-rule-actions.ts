/** `SetForbidUserRule`, `DescribeForbidUserRules` and `DelForbidUserRule` (zego.md §4.14). */
import { arrayParam, ok, single, type Query, type ZegoAction } from './action-kit';
import { ZegoCode, type ZegoResult } from './codes';
import { FORBID_RULE_TYPES, ForbidPrivilege, forbidRuleWire, type ForbidKeyName, type ForbidRuleKey, type ForbidRuleType } from './forbid-rules';

function parameterError(what: string): ZegoResult {
  return { code: ZegoCode.invalidParameter, message: `input parameter error: ${what}` };
}

function readRuleType(query: Query): ForbidRuleType | ZegoResult {
  const text = single(query, 'RuleType');
  if (text === undefined) return parameterError('RuleType is required');
  const type = Number(text);
  return /^[1-4]$/.test(text) ? (type as ForbidRuleType) : parameterError('RuleType must be 1, 2, 3 or 4');
}

const KEY_FIELDS: Readonly<Record<ForbidKeyName, keyof ForbidRuleKey>> = { IP: 'ip', RoomId: 'roomId', UserId: 'userId' };

/** RuleType and the key parameters it requires; parameters the type does not use are ignored (inferred). */
function readRuleKey(query: Query): ForbidRuleKey | ZegoResult {
  const ruleType = readRuleType(query);
  if (typeof ruleType !== 'number') return ruleType;
  const key: ForbidRuleKey = { ruleType };
  for (const name of FORBID_RULE_TYPES[ruleType].keys) {
    const value = single(query, name);
    if (value === undefined) return parameterError(`${name} is required when RuleType is ${ruleType}`);
    Object.assign(key, { [KEY_FIELDS[name]]: value });
  }
  return key;
}

function isResult(value: object): value is ZegoResult {
  return 'code' in value;
}

/** Business parameters as sent, for the request log. */
function loggedParams(query: Query): Record<string, unknown> {
  const fields = {
    ruleType: single(query, 'RuleType'),
    ip: single(query, 'IP'),
    roomId: single(query, 'RoomId'),
    userId: single(query, 'UserId'),
    effectiveTime: single(query, 'EffectiveTime'),
  };
  const privileges = arrayParam(query, 'DisabledPrivilege');
  return {
    ...Object.fromEntries(Object.entries(fields).filter((entry) => entry[1] !== undefined)),
    ...(privileges.length === 0 ? {} : { disabledPrivileges: privileges }),
  };
}

const PRIVILEGES: readonly string[] = Object.values(ForbidPrivilege).map(String);

const setForbidUserRule: ZegoAction = {
  bucket: 'zego.SetForbidUserRule',
  throttledCode: ZegoCode.appThrottled,
  prepare(query) {
    const key = readRuleKey(query);
    const privileges = arrayParam(query, 'DisabledPrivilege');
    const effectiveTime = single(query, 'EffectiveTime');
    return {
      params: loggedParams(query),
      execute(app, nowMs) {
        if (isResult(key)) return key;
        if (privileges.length === 0 || !privileges.every((p) => PRIVILEGES.includes(p))) {
          return parameterError('DisabledPrivilege[] needs one or more of 1 (login) and 2 (publish)');
        }
        const max = app.ruleCaps().zegoMaxEffectiveTimeSeconds;
        if (effectiveTime === undefined) return parameterError('EffectiveTime is required');
        // Out of range is refused, not clamped: the schema states minimum 1 and maximum 86400 (the cap).
        const seconds = Number(effectiveTime);
        if (!/^\d{1,15}$/.test(effectiveTime) || seconds < 1 || seconds > max) {
          return parameterError(`EffectiveTime must be a whole number of seconds from 1 to ${max}`);
        }
        const rule = app.rules.set(key, privileges.map(Number) as ForbidPrivilege[], seconds, nowMs);
        if (rule === 'quota-full') return { code: ZegoCode.tooManyRules };
        return { code: ZegoCode.success, data: { ExpireTime: rule.expireTime } };
      },
    };
  },
};

const describeForbidUserRules: ZegoAction = {
  bucket: 'zego.DescribeForbidUserRules',
  throttledCode: ZegoCode.appThrottled,
  prepare(query) {
    const ruleType = readRuleType(query);
    return {
      params: loggedParams(query),
      execute(app, nowMs) {
        if (typeof ruleType !== 'number') return ruleType;
        return { code: ZegoCode.success, data: { RuleList: app.rules.list(ruleType, nowMs).map(forbidRuleWire) } };
      },
    };
  },
};

const delForbidUserRule: ZegoAction = {
  bucket: 'zego.DelForbidUserRule',
  throttledCode: ZegoCode.appThrottled,
  prepare(query) {
    const key = readRuleKey(query);
    return {
      params: loggedParams(query),
      execute(app, nowMs) {
        if (isResult(key)) return key;
        return app.rules.delete(key, nowMs) ? ok : { code: ZegoCode.ruleNotFound };
      },
    };
  },
};

export const FORBID_USER_RULE_ACTIONS = {
  SetForbidUserRule: setForbidUserRule,
  DescribeForbidUserRules: describeForbidUserRules,
  DelForbidUserRule: delForbidUserRule,
} as const satisfies Record<string, ZegoAction>;
