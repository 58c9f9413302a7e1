/** The classifier intake's part of the reports: its table, its summary and its target rows. */
import { fmt, type Summary } from '../harness/stats';
import { INTAKE_QUEUE, type IntakeResult, type IntakeStep } from './intake';
import { mark, pcts } from './report-format';

/** Intake answer minus start call at one percentile. */
function added(step: IntakeStep, which: 'p50' | 'p99'): number {
  return step.intake[which] - step.startCall[which];
}

/** The de-duplication lookup's share of that: lookup + start minus start call. */
function lookupShare(step: IntakeStep, which: 'p50' | 'p99'): number {
  return step.lookupAndStart[which] - step.startCall[which];
}

function cores(step: IntakeStep, tree: string): string {
  return fmt(step.cpu[tree]?.cores ?? NaN, 2);
}

function stepRow(step: IntakeStep): string {
  const where = step.queue === INTAKE_QUEUE.worker ? 'run by the worker' : 'accepted, not run';
  return (
    `| ${step.rate} | ${where} | ${step.intake.n} / ${step.lookupAndStart.n} / ${step.startCall.n} | ${pcts(step.intake)} | ${pcts(step.lookupAndStart)} | ${pcts(step.startCall)} | ` +
    `${fmt(added(step, 'p50'))} / ${fmt(added(step, 'p99'))} | ${fmt(lookupShare(step, 'p50'))} / ${fmt(lookupShare(step, 'p99'))} | ` +
    `${fmt(step.achievedRate)} | ${fmt(step.senderLagP99Ms)} | ${cores(step, 'bench')} / ${cores(step, 'devServer')} / ${cores(step, 'worker')} | ${answers(step)} | ${step.held ? 'yes' : '**no**'} |`
  );
}

/** Intake HTTP statuses and bare start failures, when anything was not a 2xx. */
function answers(step: IntakeStep): string {
  const bad = Object.entries(step.statuses).filter(([code]) => !code.startsWith('2'));
  const failed = [
    ...(step.failures.lookup ? [`${step.failures.lookup} lookup + start failed`] : []),
    ...(step.failures.start ? [`${step.failures.start} start calls failed`] : []),
  ];
  const parts = [...bad.map(([code, n]) => `${n} × ${code === '0' ? 'no answer' : code}`), ...failed];
  return parts.length ? parts.join(', ') : 'all 2xx';
}

/** The step at the headline rate, if the search reached it. */
export function headlineStep(r: IntakeResult): IntakeStep | undefined {
  return r.steps.find((s) => s.rate === r.spec.headlineRate);
}

function highestHeldText(r: IntakeResult): string {
  const tried = r.steps.map((s) => s.rate);
  if (r.highestHeld === null) return `none of the rates tried (${tried.join(', ')}/s)`;
  const top = Math.max(...tried);
  const why = { failed: 'the next step did not hold', rates: 'the highest rate tried', time: `the search stopped at its ${r.spec.searchBudgetSeconds} s bound` }[r.searchEnded];
  return `${r.highestHeld === top ? '≥ ' : ''}${r.highestHeld} verdicts/s (${why}; steps ${tried.join(', ')}/s)`;
}

function toProviderRow(name: string, s: Summary): string {
  return `| ${name} | ${s.n} | ${pcts(s)} |`;
}

/** `## <n>. Classifier intake`: method, the steps, the loaded step's takedowns. */
export function intakeSection(r: IntakeResult, heading = '## 5. Classifier intake'): string[] {
  const head = headlineStep(r);
  const loaded = r.loaded;
  return [
    heading,
    '',
    'Signed ZEGO censor REJECT results sent at a fixed rate (open loop) over HTTP on 127.0.0.1 into the real intake (Fastify,',
    'in the benchmark process, built as `npm run intake` builds it, INFO logs formatted and dropped), each for a stream of its own;',
    '*answer*: send → the intake\'s 2xx. Without HTTP, on the intake\'s Temporal connection, at the same rate: *lookup + start*, the',
    'intake\'s Temporal calls for a first delivery (`startOnce`: describe the workflow id, find nothing, start); *start call*, the',
    'start alone (`startTakedown` with the delivery\'s request id, conflict policy FAIL). *Intake adds* = answer − start call and',
    '*of it the lookup* = lookup + start − start call, at the same percentile; the rest is HTTP, signature, parsing and policy.',
    `The three take turns every ${r.spec.blockSeconds} s within each step, so all see the same server and machine.`,
    `The step search sends its takedowns to a task queue no worker polls: Temporal accepts them and nothing runs them, because`,
    'these 2 cores cannot also run 100 takedowns/s (see the throughput cell) and would measure the backlog instead. The last row',
    'sends them to the worker, which runs them while the step goes on.',
    `A step *holds* when every answer is a 2xx, answer p99 ≤ ${r.hold.p99Ms} ms and the sender reached ≥ ${r.hold.minRateShare * 100} % of the rate.`,
    '',
    ...(head
      ? [
          `- At ${head.rate} verdicts/s: answer p50 / p95 / p99 ${fmt(head.intake.p50)} / ${fmt(head.intake.p95)} / ${fmt(head.intake.p99)} ms; lookup + start ` +
            `${fmt(head.lookupAndStart.p50)} / ${fmt(head.lookupAndStart.p95)} / ${fmt(head.lookupAndStart.p99)} ms; the start call alone ` +
            `${fmt(head.startCall.p50)} / ${fmt(head.startCall.p95)} / ${fmt(head.startCall.p99)} ms. The intake adds ${fmt(added(head, 'p99'))} ms at p99 ` +
            `(goal ≤ ${r.addedP99GoalMs} ms: ${mark(added(head, 'p99') <= r.addedP99GoalMs)}) and ${fmt(added(head, 'p50'))} ms at p50.`,
        ]
      : [`- The search did not reach ${r.spec.headlineRate} verdicts/s.`]),
    `- Highest rate held with answer p99 ≤ ${r.hold.p99Ms} ms: ${highestHeldText(r)}.`,
    '',
    '| verdicts/s | takedowns | N answer / lookup + start / start call | answer p50 / p95 / p99 / max ms | lookup + start | start call | intake adds p50 / p99 ms | of it the lookup p50 / p99 | sent /s | sender lag p99 ms | bench / dev server / worker cores | answers | holds |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.steps.map(stepRow),
    stepRow(loaded),
    ...(loaded.toProvider
      ? [
          '',
          `The last row's takedowns, followed to their first provider request (ms; ${loaded.toProvider.missing} had not arrived after ${r.spec.loaded.waitSeconds} s):`,
          '',
          '| from | N | p50 / p95 / p99 / max ms |',
          '|---|---|---|',
          toProviderRow('verdict sent → DeleteStream at the provider', loaded.toProvider.intake),
          toProviderRow('lookup + start made → DeleteStream', loaded.toProvider.lookupAndStart),
          toProviderRow('start call made → DeleteStream', loaded.toProvider.startCall),
        ]
      : []),
  ];
}

/** The intake's rows of the targets table. */
export function intakeTargetRows(r: IntakeResult): string[] {
  const head = headlineStep(r);
  if (!head) return [`| intake at ${r.spec.headlineRate} verdicts/s | not reached | **missed** |`];
  return [
    `| intake holds ${head.rate} verdicts/s: every answer a 2xx, answer p99 ≤ ${r.hold.p99Ms} ms (takedowns accepted, not run) | p99 ${fmt(head.intake.p99)} ms, ${answers(head)} | ${mark(head.held)} |`,
    `| intake adds ≤ ${r.addedP99GoalMs} ms at p99 over its start call (${head.rate}/s) | ${fmt(added(head, 'p99'))} ms (${fmt(head.intake.p99)} − ${fmt(head.startCall.p99)}) | ${mark(added(head, 'p99') <= r.addedP99GoalMs)} |`,
  ];
}
