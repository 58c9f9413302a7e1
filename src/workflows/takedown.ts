/**
 * The takedown workflow: validate, resolve where the provider calls run, plan the provider's
 * steps (`plan.ts`) and run them strictly in order, keeping a status that the `status` query,
 * search attributes and the Web UI's current details show.
 */
import { ApplicationFailure, metricMeter, patched, proxyLocalActivities, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { PreparedTakedown, TakedownActivities } from '../activities';
import type { BanJoined } from './ban-definitions';
import { statusQuery } from './definitions';
import { STEP_KINDS, actionOf, isRead, planAgora, planZego, type Step, type WriteStep } from './plan';
import type { RequestValidation, ValidTakedownRequest } from './request';
import { TakedownAppId, TakedownOutcome as OutcomeAttribute, TakedownProvider, TakedownViolationId } from './search-attributes';
import { renderDetails, targetSummary } from './status';
import { contractFailure, runStepActivity } from './step-activities';
import {
  type BanReference,
  type ProviderRoute,
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
  private readonly bans: BanReference[] = [];
  /** A ban that could not be placed: the takedown's other steps still run, then it fails with this. */
  private banFailure?: { type: TakedownFailureType; message: string; cause: Error };
  private request?: ValidTakedownRequest;
  private route?: ProviderRoute;

  async run(input: unknown): Promise<TakedownResult> {
    const startedAt = new Date().toISOString();
    const request = (this.request = await this.prepare(input));
    const { target } = request;
    const plan: Step[] = target.provider === 'zego' ? planZego(target, request) : planAgora(target, request);
    await this.runSteps(plan);
    if (this.banFailure) this.fail(this.banFailure.type, this.banFailure.message, this.banFailure.cause);

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
    const bans = this.bans.length === 0 ? {} : { ban: this.bans[0], ...(this.bans.length > 1 ? { bans: this.bans } : {}) };
    return { violationId: request.violationId, provider: target.provider, outcome, steps, ...bans, startedAt, completedAt: new Date().toISOString() };
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
        // A read that the contract names (FindStreams) leaves its record too.
        if (actionOf(step.kind)) this.addRecord((found as { step: StepRecord }).step);
        await this.runSteps((step.then as (found: unknown) => Step[])(found));
      } else {
        this.addRecord(await this.write(step));
      }
    }
  }

  private async write(step: WriteStep): Promise<StepRecord> {
    const planned = { action: actionOf(step.kind)!, attempts: 0, ...step.subject };
    if (step.skip) return { ...planned, outcome: 'skipped' };
    if (this.request?.dryRun) return { ...planned, outcome: 'planned' };
    this.status.current = planned.action;
    this.renderStatus();
    if (STEP_KINDS[step.kind].activity !== 'joinBan') return (await this.call(step)) as StepRecord;
    let joined: BanJoined;
    try {
      joined = (await runStepActivity(this.route!, step)) as BanJoined;
    } catch (err) {
      const failure = contractFailure(err, this.request?.target.provider ?? 'provider', planned.action);
      if (!failure) throw err;
      // The kick and the disconnects still cut the media; the ban's failure fails the takedown once they are done.
      this.banFailure ??= { ...failure, cause: err as Error };
      return { ...planned, outcome: 'skipped' };
    }
    this.bans.push({ workflowId: joined.workflowId, expiresAt: joined.expiresAt });
    return { ...joined.step, ...step.subject };
  }

  /** Runs a step's activity on its bucket's rate-limited task queue. */
  private async call(step: Step): Promise<unknown> {
    try {
      return await runStepActivity(this.route!, step);
    } catch (err) {
      this.failFrom(err, actionOf(step.kind) ?? step.kind);
    }
  }

  private addRecord(step: StepRecord): void {
    this.status.steps.push(step);
    this.status.current = undefined;
    this.renderStatus();
  }

  private renderStatus(): void {
    setCurrentDetails(renderDetails(this.status));
  }

  /** Fails the workflow with the contract's failure type for an activity's failure. */
  private failFrom(err: unknown, action: string): never {
    const failure = contractFailure(err, this.request?.target.provider ?? 'provider', action);
    if (!failure) throw err;
    this.fail(failure.type, failure.message, err as Error);
  }

  private fail(type: TakedownFailureType, message: string, cause?: Error): never {
    Object.assign(this.status, { phase: 'failed', failure: { type, message }, current: undefined });
    upsertSearchAttributes([{ key: OutcomeAttribute, value: type }]);
    this.renderStatus();
    metricMeter.createCounter('takedown_takedowns', 'takedowns', 'Finished takedowns').add(1, { provider: this.status.provider ?? 'unknown', outcome: type });
    throw ApplicationFailure.create({ type, message, nonRetryable: true, cause });
  }
}

/** Workflow type `takedown`: enforces one moderation decision on one live stream. */
export async function takedown(request: unknown): Promise<TakedownResult> {
  const run = new Takedown();
  setHandler(statusQuery, () => run.status);
  return run.run(request);
}
