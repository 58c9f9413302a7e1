/**
 * The HTTP side: records each provider request on arrival, lets the provider handler compute its
 * answer, holds it for the configured latency, then writes it (or drops the socket).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleAgora } from './agora/handler';
import { CONTROL_PREFIX, handleControl } from './control-api';
import type { SandboxCore } from './core';
import { jsonAnswer, type Answer, type Exchange, type Outcome } from './exchange';
import { BodyTooLargeError, readBody, splitUrl } from './http-util';
import { preciseNow } from './request-log';
import { handleZego } from './zego/handler';

/** A request listener over `core`; `closing` aborts answers still waiting out their latency. */
export function sandboxListener(core: SandboxCore, closing: AbortSignal): RequestListener {
  return (req, res) => {
    void serve(core, closing, req, res).catch(() => req.socket.destroy());
  };
}

async function serve(core: SandboxCore, closing: AbortSignal, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = preciseNow();
  const method = req.method ?? 'GET';
  const { path, rawQuery } = splitUrl(req.url ?? '/');
  if (path.startsWith(CONTROL_PREFIX)) {
    const body = await readBodyOrRefuse(req, res);
    if (body !== undefined) write(res, safely(() => handleControl(core, method, path, rawQuery, body)));
    return;
  }

  // ZEGO's API lives at `/` alone (zego.md §1.1); every other path is Agora's REST style.
  const entry = core.log.open({ at, provider: path === '/' ? 'zego' : 'agora', method, path });
  const body = await readBodyOrRefuse(req, res);
  if (body === undefined) {
    entry.answeredAt = preciseNow();
    entry.status = res.statusCode;
    return;
  }
  const exchange: Exchange = { entry, method, path, rawQuery, headers: req.headers, body };
  const outcome: Outcome = safelyOutcome(() => (entry.provider === 'zego' ? handleZego(core.zego, exchange) : handleAgora(core.agora, exchange)));

  const held = await holdUntil(preciseNow() + core.latencyMs + outcome.extraDelayMs, closing);
  entry.answeredAt = preciseNow();
  if (!held || outcome.answer === 'drop') {
    req.socket.destroy();
    return;
  }
  entry.status = outcome.answer.status;
  write(res, outcome.answer);
}

/** Reads the body; an oversized one gets a 413 and `undefined`. */
async function readBodyOrRefuse(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
  try {
    return await readBody(req);
  } catch (error) {
    if (error instanceof BodyTooLargeError) write(res, jsonAnswer(413, { message: error.message }), true);
    else req.socket.destroy();
    return undefined;
  }
}

/**
 * Waits until `deadline` on the {@link preciseNow} clock. Timers may fire a fraction of a
 * millisecond early, so it re-checks: an answer is never written before its latency has passed.
 * False when the sandbox closes first.
 */
async function holdUntil(deadline: number, closing: AbortSignal): Promise<boolean> {
  for (let left = deadline - preciseNow(); left > 0; left = deadline - preciseNow()) {
    try {
      await sleep(Math.ceil(left), undefined, { signal: closing });
    } catch {
      return false;
    }
  }
  return !closing.aborted;
}

function write(res: ServerResponse, answer: Answer, close = false): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(answer.body, 'utf8');
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length), ...(close ? { connection: 'close' } : {}) });
  res.end(body);
}

function internalError(error: unknown): Answer {
  return jsonAnswer(500, { error: `sandbox bug: ${error instanceof Error ? error.message : String(error)}` });
}

function safely(compute: () => Answer): Answer {
  try {
    return compute();
  } catch (error) {
    return internalError(error);
  }
}

function safelyOutcome(compute: () => Outcome): Outcome {
  try {
    return compute();
  } catch (error) {
    return { answer: internalError(error), extraDelayMs: 0 };
  }
}
