/**
 * From a verified delivery to Temporal: the policy's action for a verdict, the de-duplicated start
 * of the takedown or review, and the answer. HTTP lives in server.ts.
 */
import { createHash } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import { InvalidTakedownRequestError, requestIdStartOptions, startTakedown, takedownSummary, takedownWorkflowId } from '../client';
import type { review } from '../workflows';
import { type TakedownRequest, validateTakedownRequest } from '../workflows/request';
import { AWAITING_REVIEW, REVIEW_WORKFLOW_TYPE, type ReviewInput, type ReviewVerdict } from '../workflows/review-definitions';
import { TakedownAppId, TakedownOutcome, TakedownProvider, TakedownViolationId } from '../workflows/search-attributes';
import { type StartedOnce, type LookBack, deliveryRequestId, startOnce } from './dedup';
import { IntakeErrorCode, MalformedVerdictError, TemporalUnavailableError } from './errors';
import type { IntakeLogger } from './logging';
import { takedownRequestFor } from './mapping';
import type { IntakeMetrics } from './metrics';
import { type Policy, type PolicyRule, ruleFor } from './policy';
import type { Verdict } from './verdict';

/**
 * Budget for the Temporal calls of one delivery. Senders give up after 5 to 10 s (Agora); past
 * this the intake answers 503 and the sender's retry tries again.
 * @default 3000
 */
export const DEFAULT_TEMPORAL_BUDGET_MS = 3_000;
/** @default 5 */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Source name of `/v1/decisions` in request ids and metrics. */
export const DECISION_SOURCE = 'decision';

export interface IntakeOptions {
  client: Client;
  connection: Connection;
  taskQueue: string;
  policy?: Policy;
  logger: IntakeLogger;
  metrics: IntakeMetrics;
  /** @default {@link DEFAULT_TEMPORAL_BUDGET_MS} */
  temporalBudgetMs?: number;
  /** @default {@link DEFAULT_RETRY_AFTER_SECONDS} */
  retryAfterSeconds?: number;
  lookBack?: LookBack;
}

/** A 2xx answer and its JSON body. */
export interface IntakeAnswer {
  status: 200 | 202;
  body: Record<string, unknown>;
}

/** `review/<source>/<key>`; a key that would make the id too long is named by its sha256. */
export function reviewWorkflowId(source: string, key: string): string {
  return key.length <= 200 ? `review/${source}/${key}` : `review/${source}/sha256:${createHash('sha256').update(key).digest('hex')}`;
}

function reviewLabels(verdict: Verdict): Record<string, string> {
  const labels: [string, string][] = [];
  if (verdict.riskLevel) labels.push(['riskLevel', verdict.riskLevel]);
  verdict.labels.forEach((label, i) => labels.push([`label${i + 1}`, label]));
  if (verdict.categories.length) labels.push(['categories', verdict.categories.join(', ')]);
  for (const [name, score] of Object.entries(verdict.scores).sort((a, b) => b[1] - a[1]).slice(0, 8)) labels.push([`score:${name}`, String(score)]);
  return Object.fromEntries(labels.slice(0, 16).map(([k, v]) => [k.slice(0, 64), v.slice(0, 256)]));
}

export class Intake {
  private readonly budgetMs: number;
  private readonly retryAfterSeconds: number;

  constructor(private readonly options: IntakeOptions) {
    this.budgetMs = options.temporalBudgetMs ?? DEFAULT_TEMPORAL_BUDGET_MS;
    this.retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  }

  /** `/v1/decisions`: the caller's own decision goes straight to a takedown, without the policy. */
  async decision(request: TakedownRequest): Promise<IntakeAnswer> {
    const started = await this.startTakedownOnce(DECISION_SOURCE, request.violationId, request);
    this.options.metrics.verdicts.inc({ source: DECISION_SOURCE, action: request.dryRun ? 'dry-run' : 'takedown' });
    if (!started.started) this.options.metrics.duplicates.inc({ source: DECISION_SOURCE });
    this.options.logger.info('decision accepted', { source: DECISION_SOURCE, violationId: request.violationId, ...started });
    return { status: 202, body: { workflowId: started.workflowId, runId: started.runId, started: started.started } };
  }

  /** A classifier verdict: the policy decides between takedown, review and nothing. */
  async verdict(verdict: Verdict): Promise<IntakeAnswer> {
    const { metrics, logger } = this.options;
    const match = this.options.policy ? ruleFor(this.options.policy, verdict) : undefined;
    const log = { source: verdict.source, sourceKey: verdict.key };
    if (!match || match.rule.action === 'ignore') {
      metrics.verdicts.inc({ source: verdict.source, action: 'ignore' });
      logger.info('verdict ignored', { ...log, rule: match?.index ?? null });
      return { status: 200, body: { action: 'ignore', rule: match?.index ?? null } };
    }
    const { rule, index } = match;
    const proposed = takedownRequestFor(verdict, rule, index);
    const validation = validateTakedownRequest(proposed);
    if (!validation.ok) {
      throw new MalformedVerdictError(`the takedown that policy rules[${index}] makes of this verdict is invalid`, validation.problems, IntakeErrorCode.invalidRequest);
    }
    const request = proposed as unknown as TakedownRequest;
    if (rule.action === 'review') {
      const started = await this.startReviewOnce(verdict, request, rule);
      metrics.verdicts.inc({ source: verdict.source, action: 'review' });
      if (!started.started) metrics.duplicates.inc({ source: verdict.source });
      logger.info('verdict sent to review', { ...log, rule: index, ...started });
      return { status: 202, body: { action: 'review', rule: index, workflowId: started.workflowId, runId: started.runId, started: started.started } };
    }
    const started = await this.startTakedownOnce(verdict.source, verdict.key, request);
    metrics.verdicts.inc({ source: verdict.source, action: proposed.dryRun ? 'dry-run' : 'takedown' });
    if (!started.started) metrics.duplicates.inc({ source: verdict.source });
    logger.info('verdict sent to takedown', { ...log, rule: index, dryRun: proposed.dryRun, ...started });
    return { status: 202, body: { action: 'takedown', rule: index, dryRun: proposed.dryRun, workflowId: started.workflowId, runId: started.runId, started: started.started } };
  }

  private startTakedownOnce(source: string, key: string, request: TakedownRequest): Promise<StartedOnce> {
    const { client, taskQueue } = this.options;
    const requestId = deliveryRequestId(source, key);
    const workflowId = takedownWorkflowId(request.target);
    return this.withTemporal(() =>
      startOnce(client, workflowId, requestId, (workflowIdConflictPolicy) => startTakedown(client, request, { taskQueue, workflowId, requestId, workflowIdConflictPolicy }), this.options.lookBack),
    );
  }

  private startReviewOnce(verdict: Verdict, request: TakedownRequest, rule: PolicyRule): Promise<StartedOnce> {
    const { client, taskQueue } = this.options;
    const requestId = deliveryRequestId(verdict.source, verdict.key);
    const workflowId = reviewWorkflowId(verdict.source, verdict.key);
    const reviewVerdict: ReviewVerdict = {
      source: verdict.source,
      sourceKey: verdict.key,
      summary: verdict.summary,
      labels: reviewLabels(verdict),
      ...(verdict.evidenceUrl ? { evidenceUrl: verdict.evidenceUrl } : {}),
      receivedAt: new Date().toISOString(),
    };
    const input: ReviewInput = {
      verdict: reviewVerdict,
      takedown: { request, workflowId: takedownWorkflowId(request.target), summary: takedownSummary(request) },
      deadline: rule.deadline!,
      onTimeout: rule.onTimeout!,
    };
    return this.withTemporal(() =>
      startOnce(
        client,
        workflowId,
        requestId,
        (workflowIdConflictPolicy) =>
          client.workflow.start<typeof review>(REVIEW_WORKFLOW_TYPE, {
            taskQueue,
            workflowId,
            args: [input],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            workflowIdConflictPolicy,
            staticSummary: `Review of ${verdict.source} ${verdict.key}: ${verdict.summary}`.slice(0, 400),
            typedSearchAttributes: [
              { key: TakedownProvider, value: request.target.provider },
              { key: TakedownAppId, value: String(request.target.appId) },
              { key: TakedownViolationId, value: request.violationId },
              { key: TakedownOutcome, value: AWAITING_REVIEW },
            ],
            ...requestIdStartOptions(requestId, workflowIdConflictPolicy),
          }),
        this.options.lookBack,
      ),
    );
  }

  /** Runs the Temporal calls of one delivery within the budget; any failure of Temporal is a 503. */
  private async withTemporal<T>(calls: () => Promise<T>): Promise<T> {
    try {
      return await this.options.connection.withDeadline(Date.now() + this.budgetMs, calls);
    } catch (err) {
      if (err instanceof InvalidTakedownRequestError) {
        throw new MalformedVerdictError('invalid takedown request', err.problems, IntakeErrorCode.invalidRequest);
      }
      const reason = describeTemporalFailure(err);
      this.options.logger.warn('Temporal did not accept the start', { reason });
      throw new TemporalUnavailableError(this.retryAfterSeconds, reason);
    }
  }
}

/** A short reason for the log: the gRPC status and message of the failure, without inputs. */
export function describeTemporalFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: number; cause?: { code?: number; details?: string } };
  const code = e.cause?.code ?? e.code;
  return `${e.name ?? 'Error'}${code !== undefined ? ` (gRPC ${code})` : ''}: ${(e.cause?.details ?? e.message ?? '').slice(0, 200)}`;
}
