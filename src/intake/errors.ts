/** What the intake answers when it starts nothing: one error class per answer, each with a stable code. */

export const IntakeErrorCode = {
  /** No signature, key or token where one is required. */
  missingCredentials: 'missing-credentials',
  /** A signature, key or token that does not match. */
  badCredentials: 'bad-credentials',
  /** A signature whose timestamp is outside the replay window. */
  staleSignature: 'stale-signature',
  /** A signature seen before on another message. */
  replayedSignature: 'replayed-signature',
  /** The route's secret is not configured on this intake. */
  routeNotConfigured: 'route-not-configured',
  /** Authentic, but not a verdict this intake can read. */
  malformed: 'malformed',
  /** Authentic and readable, but the takedown it asks for (or maps to) is invalid. */
  invalidRequest: 'invalid-request',
  tooLarge: 'too-large',
  /** Temporal did not accept the start in time: nothing was started, the sender should retry. */
  temporalUnavailable: 'temporal-unavailable',
  notFound: 'not-found',
} as const;
export type IntakeErrorCode = (typeof IntakeErrorCode)[keyof typeof IntakeErrorCode];

/** An answer other than 2xx, with the message the sender reads. Messages never contain a secret. */
export class IntakeError extends Error {
  override readonly name: string = 'IntakeError';
  constructor(
    readonly status: number,
    readonly code: IntakeErrorCode,
    message: string,
    readonly problems?: string[],
  ) {
    super(message);
  }

  /** The JSON body of the answer. */
  body(): { error: string; code: IntakeErrorCode; problems?: string[] } {
    return { error: this.message, code: this.code, ...(this.problems ? { problems: this.problems } : {}) };
  }
}

/** 401: the delivery cannot be verified; nothing is started. */
export class UnauthenticatedError extends IntakeError {
  override readonly name = 'UnauthenticatedError';
  constructor(code: IntakeErrorCode, message: string) {
    super(401, code, message);
  }
}

/** 400: authentic but unusable; nothing is started and a retry will not help. */
export class MalformedVerdictError extends IntakeError {
  override readonly name = 'MalformedVerdictError';
  constructor(message: string, problems: string[], code: IntakeErrorCode = IntakeErrorCode.malformed) {
    super(400, code, message, problems);
  }
}

/** 503 with Retry-After: Temporal did not accept the start; the sender's retry will. */
export class TemporalUnavailableError extends IntakeError {
  override readonly name = 'TemporalUnavailableError';
  constructor(
    readonly retryAfterSeconds: number,
    readonly reason: string,
  ) {
    super(503, IntakeErrorCode.temporalUnavailable, `Temporal is not reachable; nothing was started, retry in ${retryAfterSeconds} s`);
  }
}
