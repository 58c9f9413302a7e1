/** Agora error messages (agora.md §5), as data. Where the docs give none the text is marked inferred. */
export const AgoraMessage = {
  unauthorized: 'Invalid authentication credentials.',
  invalidBody: 'Invalid body.',
  invalidAppId: 'Invalid app ID.',
  sidMissing: 'SID is missing.',
  /** Inferred: the docs list region values but no message for a bad one (agora.md §13.12). */
  invalidRegion: 'Invalid region.',
  keyNotFound: 'Resource not found and destroyed.',
  /** Inferred: the information-query 404 row gives no message (agora.md §5.2). */
  sessionNotFound: 'Resource not found.',
  /** Inferred: the sandbox's answer to a path no Agora API has. */
  routeNotFound: 'Resource not found.',
  methodNotAllowed: 'Method not allowed.',
  rateLimited: 'Request rate limit exceeded.',
  unsupportedMediaType: 'Unsupported media type, use Content-Type: application/json.',
  invalidKickingAppId: 'invalid appid',
  invalidPrivileges: 'invalid privileges',
  invalidUid: 'invalid uid',
  invalidTime: 'invalid time',
  invalidRuleId: 'invalid id',
} as const;

/** Default message of an injected HTTP status (agora.md §5.1–5.2). */
export const MESSAGE_BY_STATUS: Readonly<Record<number, string>> = {
  400: AgoraMessage.invalidBody,
  401: AgoraMessage.unauthorized,
  403: 'Media Gateway is not enabled for this project. Contact us to enable.',
  404: AgoraMessage.keyNotFound,
  409: 'Resource with the same name already exists.',
  429: AgoraMessage.rateLimited,
  500: 'Internal error. Contact us to help fix it.',
  502: 'Internal errors. Contact us for troubleshooting.',
  503: 'Service unavailable temporarily. Retry with the back-off strategy.',
  504: 'Gateway timeout. Query to check whether the task has been created, or to create another one instead.',
};
