/**
 * The `ban` workflow (DESIGN.md "Bans"): holds one subject's provider rule until the ban ends,
 * renewing it before it lapses (a rule is capped at about a day), joined by later takedowns of
 * the same subject, lifted by the `lift` Update. It alone places, renews and removes the rule,
 * one operation at a time, so concurrent takedowns and a lift never race at the provider.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  metricMeter,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PlacedRule, TakedownActivities } from '../activities';
import {
  AGORA_MIN_RULE_SECONDS,
  BanState,
  banStatusQuery,
  banSubjectName,
  liftUpdate,
  strikeSignal,
  strikeUpdate,
  type BanJoined,
  type BanResult,
  type BanRule,
  type BanStatus,
  type BanSubject,
  type LiftRequest,
  type Strike,
} from './ban-definitions';
import { banSeconds, isBanDuration } from './durations';
import type { Step } from './plan';
import { TakedownBanExpiresAt, TakedownOutcome } from './search-attributes';
import { contractFailure, runStepActivity } from './step-activities';
import type { ProviderRoute, StepRecord } from './types';

/** Renewals per run before continuing as new, so a permanent ban's history stays bounded. */
export const RENEWALS_PER_RUN = 100;
/** A ban workflow started without a strike waits this long for one, then completes. */
export const FIRST_STRIKE_WAIT = '1 minute';
/** Strikes kept in the status; older ones are counted only. */
export const MAX_LISTED_STRIKES = 100;

/**
 * How long before a rule lapses it is renewed: half the longest rule, at most an hour (a day-long
 * rule is renewed an hour early). The margin is what a renewal has for its retries, a worker
 * restart or an outage before the rule lapses; renewing earlier costs no extra call per day.
 */
export function renewalMarginMs(maxRuleSeconds: number): number {
  return Math.min(3_600_000, Math.max(1_000, (maxRuleSeconds * 1000) / 2));
}

export interface BanInput {
  subject: BanSubject;
  /** What a run hands to the next one when it continues as new. */
  carried?: { expiresAtMs: number | 'permanent'; strikes: BanStatus['strikes']; rules: BanRule[] };
  /** @default {@link RENEWALS_PER_RUN} */
  renewalsPerRun?: number;
}

const { resolveRoute } = proxyLocalActivities<TakedownActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 3 } });

class Ban {
  private state: BanState = BanState.active;
  private expiresAtMs?: number | 'permanent';
  private strikes: BanStatus['strikes'];
  private rules: BanRule[];
  private route?: ProviderRoute;
  private readonly routeReady: Promise<ProviderRoute>;
  /** The first rule's placement (already done in a run continued as new); every strike waits for it. */
  private placement?: Promise<PlacedRule | undefined>;
  /** Rule operations, one at a time. */
  private ruleOps: Promise<unknown> = Promise.resolve();
  private ruleOpsRunning = 0;
  private lifting = false;
  private result?: BanResult;
  private failure?: ApplicationFailure;
  /** Bumped whenever the expiry or the rules change, so the main loop looks again. */
  private version = 0;
  private renewals = 0;
  private shownOutcome?: string;

  constructor(private readonly input: BanInput) {
    this.strikes = input.carried?.strikes ?? [];
    this.rules = input.carried?.rules ?? [];
    this.expiresAtMs = input.carried?.expiresAtMs;
    if (input.carried) this.placement = Promise.resolve(undefined);
    this.routeReady = resolveRoute(input.subject.provider, String(input.subject.appId)).then((route) => (this.route = route));
  }

  private get subject(): BanSubject {
    return this.input.subject;
  }

  status(): BanStatus {
    const { subject } = this;
    return {
      provider: subject.provider,
      appId: String(subject.appId),
      subject: banSubjectName(subject),
      scope: subject.scope,
      state: this.state,
      ...(this.expiresAtMs === undefined ? {} : { expiresAt: isoOf(this.expiresAtMs) }),
      strikes: this.strikes,
      rules: this.rules,
    };
  }

  validateStrike(strike: Strike): void {
    if (typeof strike?.violationId !== 'string' || strike.violationId.length < 1 || strike.violationId.length > 128) throw new TypeError('strike.violationId: must be 1 to 128 characters');
    if (!isBanDuration(strike.duration)) throw new TypeError('strike.duration: must be <n>s, <n>m, <n>h or <n>d from 10s to 365d, or "permanent"');
    if (this.ended()) throw new Error('the ban has ended; a new strike starts a new ban once this workflow completes');
  }

  validateLift(request: LiftRequest): void {
    if (typeof request?.by !== 'string' || request.by === '') throw new TypeError('lift.by: must name who lifts the ban');
    if (typeof request.reason !== 'string' || request.reason === '') throw new TypeError('lift.reason: must say why the ban is lifted');
    if (this.lifting || this.state === BanState.lifted) throw new Error('the ban is already lifted');
    if (this.ended()) throw new Error('the ban has already ended (expired): there is nothing to lift');
  }

  /** A takedown joins the ban: the first strike places the rule; later ones extend the expiry. */
  async strike(strike: Strike): Promise<BanJoined> {
    const now = Date.now();
    if (!this.strikes.some((s) => s.violationId === strike.violationId)) this.strikes = [...this.strikes, { violationId: strike.violationId, at: new Date(now).toISOString() }].slice(-MAX_LISTED_STRIKES);
    const seconds = banSeconds(strike.duration)!;
    const first = this.placement === undefined;
    this.placement ??= this.serially(() => this.placeFirstRule(seconds));
    let placed: PlacedRule | undefined;
    try {
      placed = await this.placement;
    } catch (err) {
      throw this.failure ?? err;
    }
    if (!first) this.extend(seconds === 'permanent' ? 'permanent' : Date.now() + seconds * 1000);
    const expiresAt = isoOf(this.expiresAtMs!);
    const action = this.subject.provider === 'zego' ? 'ForbidUser' : 'BanUser';
    let step: StepRecord = { action, outcome: 'already-done', attempts: 0, expiresAt };
    if (first && placed) {
      const { ruleId: _ruleId, ...record } = placed;
      step = { ...record, expiresAt };
    }
    return { workflowId: workflowInfo().workflowId, expiresAt, step };
  }

  async lift({ by, reason }: LiftRequest): Promise<BanResult> {
    this.lifting = true;
    await this.serially(() => this.removeRules());
    this.state = BanState.lifted;
    this.result = { outcome: 'lifted', by, reason, liftedAt: new Date().toISOString() };
    this.version++;
    return this.result;
  }

  async run(): Promise<BanResult> {
    await this.routeReady;
    if (this.placement === undefined && !(await condition(() => this.placement !== undefined, FIRST_STRIKE_WAIT))) {
      log.warn('ban started without a strike: nothing to hold');
      return this.finish({ outcome: 'expired' }, BanState.expired);
    }
    try {
      await this.placement;
    } catch (err) {
      await condition(allHandlersFinished);
      throw this.failure ?? err;
    }
    while (this.state === BanState.active) {
      this.render();
      if (this.ended()) {
        await this.serially(() => this.removeRules());
        if (this.state !== BanState.active) break;
        return this.finish({ outcome: 'expired' }, BanState.expired);
      }
      const now = Date.now();
      const rule = this.rules[0];
      const ruleExpiresMs = rule ? Date.parse(rule.expiresAt) : now;
      const needsRenewal = this.expiresAtMs === 'permanent' || this.expiresAtMs! > ruleExpiresMs;
      const renewAtMs = ruleExpiresMs - renewalMarginMs(this.maxRuleSeconds());
      const wakeAtMs = Math.min(needsRenewal ? renewAtMs : Infinity, this.expiresAtMs === 'permanent' ? Infinity : this.expiresAtMs!);
      const seen = this.version;
      if (wakeAtMs > now) await condition(() => this.version !== seen || this.state !== BanState.active, wakeAtMs - now);
      if (this.state !== BanState.active) break;
      if (this.version === seen && needsRenewal && Date.now() >= renewAtMs) {
        await this.serially(() => this.renew(ruleExpiresMs));
        if (this.renewals >= (this.input.renewalsPerRun ?? RENEWALS_PER_RUN) || workflowInfo().continueAsNewSuggested) await this.continueAsNew();
      }
    }
    await condition(allHandlersFinished);
    this.render();
    return this.result!;
  }

  private ended(): boolean {
    return this.state !== BanState.active || (typeof this.expiresAtMs === 'number' && Date.now() >= this.expiresAtMs);
  }

  private extend(untilMs: number | 'permanent'): void {
    const current = this.expiresAtMs;
    const later = current === 'permanent' || untilMs === 'permanent' ? 'permanent' : Math.max(current ?? 0, untilMs);
    if (later === current) return;
    this.expiresAtMs = later;
    this.version++;
    upsertSearchAttributes([{ key: TakedownBanExpiresAt, value: later === 'permanent' ? null : new Date(later) }]);
  }

  private maxRuleSeconds(): number {
    return this.route?.maxRuleSeconds ?? (this.subject.provider === 'zego' ? 86_400 : 86_430);
  }

  /** Seconds for the next rule: what is left of the ban, at most the provider's cap. */
  private ruleSeconds(remaining: number | 'permanent'): number {
    const cap = this.maxRuleSeconds();
    const seconds = Math.min(cap, remaining === 'permanent' ? cap : Math.ceil(remaining));
    return this.subject.provider === 'agora' ? Math.max(AGORA_MIN_RULE_SECONDS, seconds) : Math.max(1, seconds);
  }

  private async placeFirstRule(seconds: number | 'permanent'): Promise<PlacedRule> {
    await this.routeReady;
    const ruleSeconds = this.ruleSeconds(seconds);
    const placed = await this.ruleStep(this.placeStep(ruleSeconds));
    // The ban counts from its rule being in force: when the provider says the rule ends, less its length.
    const inForceMs = Date.parse(placed.expiresAt) - ruleSeconds * 1000;
    this.keepRule(placed);
    this.extend(seconds === 'permanent' ? 'permanent' : inForceMs + seconds * 1000);
    return placed;
  }

  private async renew(ruleExpiresMs: number): Promise<void> {
    if (this.lifting || this.state !== BanState.active) return;
    const remaining = this.expiresAtMs === 'permanent' ? 'permanent' : (this.expiresAtMs! - Date.now()) / 1000;
    const rule = this.rules[0];
    const seconds = this.ruleSeconds(remaining);
    // A renewal's attempts all end their rule with the ban, however late a retry is sent.
    const until = this.expiresAtMs === 'permanent' ? {} : { untilMs: this.expiresAtMs! };
    const step: Step =
      this.subject.provider === 'agora' && rule?.ruleId !== undefined
        ? { kind: 'RenewAgoraRule', input: { appId: this.subject.appId, ruleId: rule.ruleId, uid: this.subject.uid, seconds, ...until, ...this.agoraChannel() }, summary: `Renew ban rule for ${seconds} s` }
        : this.placeStep(seconds, until);
    const placed = await this.ruleStep(step);
    this.keepRule(placed);
    this.renewals++;
    const late = Date.now() > ruleExpiresMs - renewalMarginMs(this.maxRuleSeconds()) / 2;
    metricMeter.createCounter('takedown_ban_renewals', 'renewals', 'Ban rule renewals').add(1, { provider: this.subject.provider, outcome: late ? 'late' : 'on-time' });
    if (late) log.warn('ban rule renewed late', { ruleExpiresAt: new Date(ruleExpiresMs).toISOString() });
  }

  private placeStep(seconds: number, until: { untilMs?: number } = {}): Step {
    const { subject } = this;
    if (subject.provider === 'zego') {
      const target = subject.scope === 'room' ? { scope: 'room' as const, roomId: subject.roomId, userId: subject.userId } : { scope: 'app' as const, userId: subject.userId };
      return { kind: 'PlaceZegoRule', input: { appId: subject.appId, target, seconds, ...until }, summary: `Forbid ${subject.userId} for ${seconds} s` };
    }
    return { kind: 'PlaceAgoraRule', input: { appId: subject.appId, uid: subject.uid, seconds, ...until, ...this.agoraChannel() }, summary: `Ban uid ${subject.uid} for ${seconds} s` };
  }

  private agoraChannel(): { cname?: string } {
    return this.subject.provider === 'agora' && this.subject.scope === 'channel' ? { cname: this.subject.channel } : {};
  }

  /** Every rule of the ban goes: at its end, or when it is lifted. */
  private async removeRules(): Promise<void> {
    const { subject } = this;
    if (subject.provider === 'zego') {
      if (this.rules.length > 0) {
        const target = subject.scope === 'room' ? { scope: 'room' as const, roomId: subject.roomId, userId: subject.userId } : { scope: 'app' as const, userId: subject.userId };
        await this.ruleStep({ kind: 'RemoveZegoRule', input: { appId: subject.appId, target }, summary: `Remove the rule on ${subject.userId}` });
      }
    } else {
      for (const rule of this.rules) {
        if (rule.ruleId !== undefined) await this.ruleStep({ kind: 'RemoveAgoraRule', input: { appId: subject.appId, ruleId: rule.ruleId }, summary: `Remove ban rule ${rule.ruleId}` });
      }
    }
    this.rules = [];
    this.version++;
  }

  private keepRule(placed: PlacedRule): void {
    const rule: BanRule = {
      action: this.subject.provider === 'zego' ? 'ForbidUser' : 'BanUser',
      expiresAt: placed.expiresAt,
      ...(placed.providerRequestId ? { providerRequestId: placed.providerRequestId } : {}),
      ...(placed.ruleId === undefined ? {} : { ruleId: placed.ruleId }),
    };
    // ZEGO keys one rule per subject; Agora's renewal may have made a new rule in place of a lapsed one.
    this.rules = [rule, ...this.rules.filter((r) => r.ruleId !== undefined && r.ruleId !== rule.ruleId)];
    this.version++;
  }

  /** Runs a rule step; a failure that ends the ban's rule keeping is kept as the workflow's failure. */
  private async ruleStep(step: Step): Promise<PlacedRule> {
    await this.routeReady;
    try {
      return (await runStepActivity(this.route!, step)) as PlacedRule;
    } catch (err) {
      const failure = contractFailure(err, this.subject.provider, step.kind);
      if (!failure) throw err;
      this.failure = ApplicationFailure.create({ type: failure.type, message: failure.message, nonRetryable: true });
      throw this.failure;
    }
  }

  private serially<T>(op: () => Promise<T>): Promise<T> {
    this.ruleOpsRunning++;
    const result = this.ruleOps.then(op).finally(() => this.ruleOpsRunning--);
    this.ruleOps = result.catch(() => undefined);
    return result;
  }

  private async continueAsNew(): Promise<never> {
    await condition(() => allHandlersFinished() && this.ruleOpsRunning === 0);
    return continueAsNew<typeof ban>({
      subject: this.subject,
      carried: { expiresAtMs: this.expiresAtMs!, strikes: this.strikes, rules: this.rules },
      ...(this.input.renewalsPerRun === undefined ? {} : { renewalsPerRun: this.input.renewalsPerRun }),
    });
  }

  private async finish(result: BanResult, state: BanState): Promise<BanResult> {
    this.state = state;
    this.result = result;
    await condition(allHandlersFinished);
    this.render();
    return result;
  }

  private render(): void {
    const s = this.status();
    const outcome = this.state === BanState.active ? 'banned' : this.state;
    if (outcome !== this.shownOutcome) upsertSearchAttributes([{ key: TakedownOutcome, value: outcome }]);
    this.shownOutcome = outcome;
    const lines = [
      `**${s.state}** ban of ${s.provider} ${s.scope === 'app' ? 'app' : s.scope} ${s.subject} (app ${s.appId})`,
      `until ${s.expiresAt ?? '(first rule not yet in force)'}; ${s.strikes.length} strike${s.strikes.length === 1 ? '' : 's'}`,
      ...s.rules.map((r) => `- ${r.action}${r.ruleId === undefined ? '' : ` rule ${r.ruleId}`}: lapses ${r.expiresAt} unless renewed`),
    ];
    setCurrentDetails(lines.join('\n'));
  }
}

function isoOf(ms: number | 'permanent'): string {
  return ms === 'permanent' ? 'permanent' : new Date(ms).toISOString();
}

/** Workflow type `ban`: keeps one user out until the ban ends or is lifted. */
export async function ban(input: BanInput): Promise<BanResult> {
  const run = new Ban(input);
  setHandler(banStatusQuery, () => run.status());
  setHandler(strikeUpdate, (strike) => run.strike(strike), { validator: (strike) => run.validateStrike(strike) });
  setHandler(strikeSignal, async (strike) => {
    try {
      run.validateStrike(strike);
      await run.strike(strike);
    } catch (err) {
      // A signal has no answer to carry a refusal: the strike is logged and dropped.
      log.warn('strike signal refused', { error: (err as Error).message });
    }
  });
  setHandler(liftUpdate, (request) => run.lift(request), { validator: (request) => run.validateLift(request) });
  return run.run();
}
