/**
 * The ZEGO `Code` values the sandbox answers, with their messages (zego.md §3). ZEGO does not
 * publish its exact `Message` strings (zego.md §9.1), so the messages paraphrase the docs' meanings.
 */
export const ZegoCode = {
  success: 0,
  requestFailed: 1,
  invalidParameter: 2,
  parameterTooLong: 3,
  streamNotFound: 138,
  appThrottled: 206,
  roomThrottled: 207,
  roomNotFound: 50001,
  userListTooLong: 50011,
  tooManyRules: 50123,
  ruleNotFound: 50124,
  appIdFormat: 100000001,
  timestampEmpty: 100000002,
  timestampFormat: 100000003,
  signatureExpired: 100000004,
  signatureWrong: 100000005,
  actionEmpty: 100000006,
  actionUnsupported: 100000007,
  nonceEmpty: 100000008,
  signatureEmpty: 100000009,
  secretNotFound: 100000010,
  signatureVersionEmpty: 100000013,
  signatureVersionUnsupported: 100000014,
  noProductionEnvironment: 100000016,
  mixParameterError: 110200002,
  mixParseFailed: 110200004,
  mixNotOwner: 110200160,
  stopMixThrottled: 110200191,
  mixTaskNotFound: 110209001,
} as const;
export type ZegoCode = (typeof ZegoCode)[keyof typeof ZegoCode];

/** `Message` per code. */
export const ZEGO_MESSAGES: Readonly<Record<ZegoCode, string>> = {
  0: 'success',
  1: 'request failed',
  2: 'input parameter error',
  3: 'input parameter too long',
  138: 'stream info does not exist',
  206: 'app QPS too high, throttled',
  207: 'room QPS too high, throttled',
  50001: 'room does not exist',
  50011: 'user list too long',
  50123: 'too many ban rules in force',
  50124: 'the rule to delete does not exist',
  100000001: 'AppId format error',
  100000002: 'Timestamp is empty',
  100000003: 'Timestamp format error',
  100000004: 'signature expired',
  100000005: 'signature error',
  100000006: 'Action is empty',
  100000007: 'unsupported Action',
  100000008: 'SignatureNonce is empty',
  100000009: 'Signature is empty',
  100000010: 'failed to get ServerSecret, check AppId',
  100000013: 'SignatureVersion is empty',
  100000014: 'unsupported SignatureVersion',
  100000016: 'app has no production environment, check IsTest',
  110200002: 'input parameter error',
  110200004: 'failed to parse input',
  110200160: 'not the owner of the mix task',
  110200191: 'stop mix request overload',
  110209001: 'mix task does not exist',
};

/** A ZEGO answer before it is wrapped with a RequestId. */
export interface ZegoResult {
  code: number;
  /** Default: the code's message from {@link ZEGO_MESSAGES}. */
  message?: string;
  data?: unknown;
}

/** The message of a code; an injected code unknown to the table reads `injected fault`. */
export function zegoMessage(code: number): string {
  return (ZEGO_MESSAGES as Record<number, string | undefined>)[code] ?? 'injected fault';
}
