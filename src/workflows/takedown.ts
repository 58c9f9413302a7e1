/**
 * The takedown workflow: validate, resolve where the provider calls run, plan the provider's
 * steps (`plan.ts`) and run them strictly in order, keeping a status that the `status` query,
 * search attributes and the Web UI's current details show.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  metricMeter,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { PreparedTakedown, TakedownActivities } from '../activities';
import { statusQuery } from './definitions';
import { STEP_KINDS, isRead, planAgora, planZego, type Bucket, type Step, type WriteStep } from './plan';
import type { RequestValidation, ValidTakedownRequest } from './request';
import { TakedownAppId, TakedownOutcome as OutcomeAttribute, TakedownProvider, TakedownViolationId } from './search-attributes';
import { renderDetails, targetSummary } from './status';
import {
  type ProviderRoute,
  type StepHeartbeat,
  type StepRecord,
  TakedownFailureType,
  TakedownOutcome,
  type TakedownResult,
  type TakedownStatus,
} from './types';

const { prepareTakedown, resolveRoute } = proxyLocalActivities<TakedownActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3 },
});

/**
 * Takedowns validate in the `prepareTakedown` local activity, where the request schema is built
 * once per worker process. Takedowns started before then validated here, in the workflow: they
 * replay that way, loading the schema only when they do.
 */
const PREPARE_IN_ACTIVITY = 'prepare-takedown-in-activity';

function validateHere(input: unknown): RequestValidation {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on replay only, see PREPARE_IN_ACTIVITY
  return (require('./request') as typeof import('./request')).validateTakedownRequest(input);
}

class Takedown {
  readonly status: TakedownStatus = { phase: 'validating', steps: [] };
  private request?: ValidTakedownRequest;
  private route?: ProviderRoute;

  async run(input: unknown): Promise<TakedownResult> {
    const startedAt = new Date().toISOString();
    const request = (this.request = await this.prepare(input));
    const { target } = request;
    const plan: Step[] = target.provider === 'zego' ? planZego(target, request) : planAgora(target, request);
    await this.runSteps(plan);

    const steps = this.status.steps;
    const outcome = request.dryRun
      ? TakedownOutcome.dryRun
      : steps.some((s) => s.outcome === 'done')
        ? TakedownOutcome.enforced
        : TakedownOutcome.alreadyEnforced;
    Object.assign(this.status, { phase: 'completed', outcome, current: undefined });
    upsertSearchAttributes([{ key: OutcomeAttribute, value: outcome }]);
    this.renderStatus();
    metricMeter.createCounter('takedown_takedowns', 'takedowns', 'Finished takedowns').add(1, { provider: target.provider, outcome });
    return { violationId: request.violationId, provider: target.provider, outcome, steps, startedAt, completedAt: new Date().toISOString() };
  }

  /** Validates the request and resolves its route; an invalid one fails `InvalidRequest` before any provider call. */
  private async prepare(input: unknown): Promise<ValidTakedownRequest> {
    let prepared: PreparedTakedown | undefined;
    let validation: RequestValidation;
    if (patched(PREPARE_IN_ACTIVITY)) {
      try {
        validation = prepared = await prepareTakedown(input);
      } catch (err) {
        this.failFrom(err, 'prepare');
      }
    } else {
      validation = validateHere(input);
    }
    if (!validation.ok) {
      this.fail(TakedownFailureType.InvalidRequest, `invalid takedown request: ${validation.problems.join('; ')}`);
    }
    const request = validation.request;
    const { target } = request;
    Object.assign(this.status, {
      phase: 'running',
      violationId: request.violationId,
      provider: target.provider,
      appId: String(target.appId),
      target: targetSummary(target),
      dryRun: request.dryRun,
    });
    upsertSearchAttributes([
      { key: TakedownProvider, value: target.provider },
      { key: TakedownAppId, value: String(target.appId) },
      { key: TakedownViolationId, value: request.violationId },
      { key: OutcomeAttribute, value: 'running' },
    ]);
    this.renderStatus();
    if (prepared?.ok) {
      if ('unroutable' in prepared) this.fail(TakedownFailureType.InvalidRequest, prepared.unroutable);
      this.route = prepared.route;
    } else {
      try {
        this.route = await resolveRoute(target.provider, String(target.appId));
      } catch (err) {
        this.failFrom(err, 'resolve route');
      }
    }
    return request;
  }

  /** Runs steps in order; a read's findings plan the steps that follow it. */
  private async runSteps(steps: readonly Step[]): Promise<void> {
    for (const step of steps) {
      if (isRead(step)) {
        // The union of read kinds is narrowed by `kind` inside each `then`; TypeScript cannot pair them here.
        const found = await this.call(step);
        await this.runSteps((step.then as (found: unknown) => Step[])(found));
      } else {
        this.addRecord(await this.write(step));
      }
    }
  }

  private async write(step: WriteStep): Promise<StepRecord> {
    const planned = { action: step.kind, attempts: 0, ...step.subject };
    if (step.skip) return { ...planned, outcome: 'skipped' };
    if (this.request?.dryRun) return { ...planned, outcome: 'planned' };
    this.status.current = step.kind;
    this.renderStatus();
    return (await this.call(step)) as StepRecord;
  }

  /** Runs a step's activity on its bucket's rate-limited task queue. */
  private async call(step: Step): Promise<unknown> {
    const { activity, bucket } = STEP_KINDS[step.kind];
    try {
      const run = this.activities(bucket, step.summary)[activity] as (input: Step['input']) => Promise<unknown>;
      return await run(step.input);
    } catch (err) {
      this.failFrom(err, step.kind);
    }
  }

  private activities(bucket: Bucket, summary: string) {
    const route = this.route!;
    const queue = (route.queues as Partial<Record<Bucket, string>>)[bucket];
    // Unreachable while routes are built from the same bucket types: kept so a broken route fails loudly.
    if (!queue) throw ApplicationFailure.nonRetryable(`worker route has no task queue for ${bucket}`, TakedownFailureType.ProviderUnavailable);
    return proxyActivities<TakedownActivities>({
      taskQueue: queue,
      summary,
      // Rate limits live on these task queues; an eager activity would skip them.
      allowEagerDispatch: false,
      startToCloseTimeout: '30s',
      // A call that runs past a second heartbeats (activities/steps.ts), so the attempt of a worker
      // that died is retried after this, not after the start-to-close timeout.
      heartbeatTimeout: '5s',
      scheduleToCloseTimeout: route.retry.budget,
      // Which failures are retried is decided by the activities (activities/failures.ts).
      retry: {
        initialInterval: route.retry.initialInterval,
        maximumInterval: route.retry.maximumInterval,
        backoffCoefficient: 2,
        maximumAttempts: route.retry.maximumAttempts,
      },
    });
  }

  private addRecord(step: StepRecord): void {
    this.status.steps.push(step);
    this.status.current = undefined;
    this.renderStatus();
  }

  private renderStatus(): void {
    setCurrentDetails(renderDetails(this.status));
  }

  /**
   * Fails the workflow with the contract's failure type for an activity's failure: a
   * non-retryable failure carries it as its type; a retried one whose budget ran out is
   * `ProviderUnavailable`.
   */
  private failFrom(err: unknown, action: string): never {
    if (!(err instanceof ActivityFailure)) throw err;
    const provider = this.request?.target.provider ?? 'provider';
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.nonRetryable && isTakedownFailureType(cause.type)) {
      this.fail(cause.type, cause.message ?? `${provider} ${action} was rejected`, err);
    }
    // When the budget runs out the cause is a timeout; the last answer comes from the step's heartbeat.
    const lastAnswer = (cause instanceof TimeoutFailure ? (cause.lastHeartbeatDetails as StepHeartbeat | undefined) : undefined)?.lastAnswer;
    const last =
      cause instanceof TimeoutFailure
        ? `timed out (${cause.timeoutType})${lastAnswer ? `; last answer: ${lastAnswer}` : ''}`
        : (cause?.message ?? 'unknown failure');
    this.fail(TakedownFailureType.ProviderUnavailable, `${provider} ${action} did not succeed within the retry budget: ${last}`, err);
  }

  private fail(type: TakedownFailureType, message: string, cause?: Error): never {
    Object.assign(this.status, { phase: 'failed', failure: { type, message }, current: undefined });
    upsertSearchAttributes([{ key: OutcomeAttribute, value: type }]);
    this.renderStatus();
    metricMeter.createCounter('takedown_takedowns', 'takedowns', 'Finished takedowns').add(1, { provider: this.status.provider ?? 'unknown', outcome: type });
    throw ApplicationFailure.create({ type, message, nonRetryable: true, cause });
  }
}

function isTakedownFailureType(type: string | undefined | null): type is TakedownFailureType {
  return type !== undefined && type !== null && Object.hasOwn(TakedownFailureType, type);
}

/** Workflow type `takedown`: enforces one moderation decision on one live stream. */
export async function takedown(request: unknown): Promise<TakedownResult> {
  const run = new Takedown();
  setHandler(statusQuery, () => run.status);
  return run.run(request);
}
