/**
 * The intake's HTTP server (Fastify): four routes that verify a delivery over its raw bytes, read
 * it, and hand it to the {@link Intake}. Every refusal is a JSON `{ error, code, problems? }`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { IntakeConfig } from './config';
import { IntakeError, IntakeErrorCode, TemporalUnavailableError, UnauthenticatedError } from './errors';
import type { Intake, IntakeAnswer } from './intake';
import type { IntakeLogger } from './logging';
import type { IntakeMetrics } from './metrics';
import { ACTIVEFENCE_KEY_HEADER, readActiveFenceWebhook, verifyActiveFenceKey } from './sources/activefence';
import { readJsonObject } from './sources/common';
import { readDecision, verifyDecision } from './sources/decision';
import { readHiveCallback, verifyHiveToken } from './sources/hive';
import { SignatureReplayGuard, readZegoBody, readZegoCallback, verifyZegoCallback } from './sources/zego-censor';

/** The contract's body limit: larger deliveries get 413 before anything reads them. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export const ROUTES = {
  decisions: '/v1/decisions',
  zegoCensor: '/zego/censor',
  activefence: '/activefence',
  hive: '/hive/:token',
} as const;

export interface IntakeServerOptions {
  config: Pick<IntakeConfig, 'decisionsSecret' | 'zegoCallbackSecret' | 'activefenceApiKey' | 'hiveToken'>;
  intake: Pick<Intake, 'decision' | 'verdict'>;
  logger: IntakeLogger;
  metrics: IntakeMetrics;
  /** Clock for ZEGO signature freshness. @default Date.now */
  now?: () => number;
}

type Source = 'decision' | 'zego-censor' | 'activefence' | 'hive';
const SOURCE_OF_ROUTE: Record<string, Source> = {
  [ROUTES.decisions]: 'decision',
  [ROUTES.zegoCensor]: 'zego-censor',
  [ROUTES.activefence]: 'activefence',
  [ROUTES.hive]: 'hive',
};
type Handler = (request: FastifyRequest, raw: Buffer) => Promise<IntakeAnswer>;

function notConfigured(route: string, variable: string): never {
  throw new UnauthenticatedError(IntakeErrorCode.routeNotConfigured, `${route} is not configured on this intake (${variable} is not set), so nothing it receives can be verified`);
}

export function createIntakeServer(options: IntakeServerOptions): FastifyInstance {
  const { config, intake, logger, metrics } = options;
  const now = options.now ?? Date.now;
  const webhook = config.decisionsSecret ? new Webhook(config.decisionsSecret) : undefined;
  const zegoGuard = new SignatureReplayGuard();

  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, return503OnClosing: true, routerOptions: { maxParamLength: 512 } });
  // Signatures are over the bytes as sent: every body is kept as a Buffer and parsed after verification.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // Senders' docs promise no Content-Type (ZEGO's says only that the body is JSON): one without it
  // is read like any other instead of being refused with 415.
  app.addHook('onRequest', async (request) => {
    if (!request.headers['content-type']) request.headers['content-type'] = 'application/octet-stream';
  });

  const send = (reply: FastifyReply, source: Source, err: unknown) => {
    if (err instanceof IntakeError) {
      metrics.rejections.inc({ source, reason: err.code });
      if (err instanceof TemporalUnavailableError) reply.header('retry-after', String(err.retryAfterSeconds));
      if (err.status >= 500) logger.warn('delivery not accepted', { source, status: err.status, code: err.code });
      else logger.info('delivery refused', { source, status: err.status, code: err.code, error: err.message });
      return reply.code(err.status).send(err.body());
    }
    metrics.rejections.inc({ source, reason: 'internal' });
    logger.error('delivery failed', { source, error: (err as Error)?.message?.slice(0, 200) ?? String(err) });
    return reply.code(500).send({ error: 'internal error; nothing was started', code: 'internal' });
  };

  const route = (path: string, source: Source, handler: Handler) => {
    app.post(path, async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      try {
        const answer = await handler(request, raw);
        return reply.code(answer.status).send(answer.body);
      } catch (err) {
        return send(reply, source, err);
      }
    });
  };

  route(ROUTES.decisions, 'decision', async (request, raw) => {
    if (!webhook) notConfigured(ROUTES.decisions, 'TAKEDOWN_INTAKE_SECRET');
    verifyDecision(raw, request.headers, webhook);
    return intake.decision(readDecision(raw));
  });

  route(ROUTES.zegoCensor, 'zego-censor', async (_request, raw) => {
    if (!config.zegoCallbackSecret) notConfigured(ROUTES.zegoCensor, 'ZEGO_CALLBACK_SECRET');
    // ZEGO's signature travels in the body (and covers no body field), so the body is read first.
    const body = readZegoBody(raw);
    const nowMs = now();
    const { signature, timestampMs } = verifyZegoCallback(body, { secret: config.zegoCallbackSecret, nowMs });
    const callback = readZegoCallback(body);
    if (callback.kind === 'acknowledged') {
      metrics.verdicts.inc({ source: 'zego-censor', action: 'acknowledged' });
      logger.info('callback acknowledged', { source: 'zego-censor', reason: callback.reason });
      return { status: 200, body: { action: 'acknowledged', reason: callback.reason } };
    }
    if (!zegoGuard.admit(signature, callback.verdict.key, timestampMs, nowMs)) {
      throw new UnauthenticatedError(IntakeErrorCode.replayedSignature, 'ZEGO callback: this signature came before with another ResultTaskId');
    }
    return intake.verdict(callback.verdict);
  });

  route(ROUTES.activefence, 'activefence', async (request, raw) => {
    if (!config.activefenceApiKey) notConfigured(ROUTES.activefence, 'TAKEDOWN_ACTIVEFENCE_API_KEY');
    verifyActiveFenceKey(request.headers[ACTIVEFENCE_KEY_HEADER], config.activefenceApiKey);
    return intake.verdict(readActiveFenceWebhook(readJsonObject(raw, 'ActiveFence webhook')));
  });

  route(ROUTES.hive, 'hive', async (request, raw) => {
    if (!config.hiveToken) notConfigured('/hive/<token>', 'TAKEDOWN_HIVE_TOKEN');
    verifyHiveToken((request.params as { token?: string }).token ?? '', config.hiveToken);
    return intake.verdict(readHiveCallback(readJsonObject(raw, 'Hive callback')));
  });

  app.setNotFoundHandler((request, reply) => {
    // The Hive token is part of a URL: a path is never echoed.
    reply.code(404).send({ error: `no such route: ${request.method}; the intake serves POST ${ROUTES.decisions}, ${ROUTES.zegoCensor}, ${ROUTES.activefence} and /hive/<token>`, code: IntakeErrorCode.notFound });
  });

  // Errors Fastify raises before a handler runs: body too large, bad Content-Length, and the like.
  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, request, reply) => {
    const source = SOURCE_OF_ROUTE[request.routeOptions.url ?? ''] ?? 'unknown';
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 413) {
      metrics.rejections.inc({ source, reason: IntakeErrorCode.tooLarge });
      return reply.code(413).send({ error: `the body is larger than ${BODY_LIMIT_BYTES} bytes; nothing was started`, code: IntakeErrorCode.tooLarge });
    }
    metrics.rejections.inc({ source, reason: status < 500 ? 'bad-http' : 'internal' });
    if (status >= 500) logger.error('request failed', { code: err.code, error: err.message?.slice(0, 200) });
    return reply.code(status).send({ error: status < 500 ? `bad request: ${err.message ?? err.code}` : 'internal error; nothing was started', code: status < 500 ? (err.code ?? 'bad-http') : 'internal' });
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the URL: a Hive URL carries its token.
    const routePath = request.routeOptions.url ?? 'unmatched';
    metrics.answerSeconds.observe({ route: routePath, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    logger.debug('answered', { method: request.method, route: routePath, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 });
  });

  return app;
}
