/** The worker's side of bans: a takedown's ban step starts or joins the subject's `ban` workflow. */
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { BanStarter } from '../activities';
import type { ban } from '../workflows/ban';
import { BAN_WORKFLOW_TYPE, banSubjectName, banWorkflowId, strikeUpdate } from '../workflows/ban-definitions';
import { TakedownAppId, TakedownOutcome, TakedownProvider, TakedownViolationId } from '../workflows/search-attributes';

/**
 * Update-with-start of Update `strike`: one ban workflow per subject however many takedowns
 * join at once, and the answer comes once the ban's rule is in force.
 */
export function temporalBans(client: Client, taskQueue: string): BanStarter {
  return {
    join: (subject, strike, updateId) =>
      client.workflow.executeUpdateWithStart(strikeUpdate, {
        args: [strike],
        updateId,
        startWorkflowOperation: new WithStartWorkflowOperation<typeof ban>(BAN_WORKFLOW_TYPE, {
          workflowId: banWorkflowId(subject),
          taskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING',
          args: [{ subject }],
          staticSummary: `Ban of ${subject.provider === 'zego' ? 'ZEGO' : 'Agora'} app ${subject.appId} user ${banSubjectName(subject)} (${subject.scope} scope), first for violation ${strike.violationId}`,
          typedSearchAttributes: [
            { key: TakedownProvider, value: subject.provider },
            { key: TakedownAppId, value: String(subject.appId) },
            { key: TakedownViolationId, value: strike.violationId },
            { key: TakedownOutcome, value: 'banned' },
          ],
        }),
      }),
  };
}
