/** Text the Web UI shows for a running takedown (current details). Never includes a stream key. */
import type { TakedownTarget } from './request';
import type { StepRecord, TakedownStatus } from './types';

export function targetSummary(target: TakedownTarget): string {
  if (target.provider === 'zego') return target.streamId === undefined ? `room ${target.roomId} / every stream` : `room ${target.roomId} / stream ${target.streamId} / user ${target.userId}`;
  if (target.streamKey === undefined) return `channel ${target.channel} / uid ${target.uid}`;
  const parts = [`region ${target.region}`];
  if (target.channel) parts.push(`channel ${target.channel}`);
  if (target.sid) parts.push(`session ${target.sid}`);
  return parts.join(' / ');
}

function stepLine(step: StepRecord): string {
  const subject = step.sid ?? step.taskId ?? step.streamId ?? step.userId ?? (step.uid === undefined ? undefined : `uid ${step.uid}`);
  const attempts = step.attempts > 0 ? ` (${step.attempts} attempt${step.attempts === 1 ? '' : 's'})` : '';
  const until = step.expiresAt ? ` until ${step.expiresAt}` : '';
  return `- ${step.action}${subject ? ` ${subject}` : ''}: ${step.outcome}${attempts}${until}`;
}

export function renderDetails(status: TakedownStatus): string {
  const lines = [
    `**${status.phase}**${status.outcome ? `: ${status.outcome}` : ''}${status.dryRun ? ' (dry run)' : ''}`,
  ];
  if (status.provider) lines.push(`${status.provider} app ${status.appId}, violation ${status.violationId}`);
  if (status.target) lines.push(status.target);
  lines.push(...status.steps.map(stepLine));
  if (status.current) lines.push(`- ${status.current}: running`);
  if (status.failure) lines.push(`${status.failure.type}: ${status.failure.message}`);
  return lines.join('\n');
}
