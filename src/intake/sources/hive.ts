/**
 * Hive callbacks (providers/classifiers.md §2.3): Hive signs nothing, so the callback URL carries a
 * secret path segment; the `metadata` string names the Agora RTC user.
 */
import { z } from 'zod';
import { IntakeErrorCode, UnauthenticatedError } from '../errors';
import type { Verdict } from '../verdict';
import { clip, readAgoraUser, readWith, sourceKeySchema } from './common';
import { secretsEqual } from './common';

export function verifyHiveToken(presented: string, token: string): void {
  if (presented === '') throw new UnauthenticatedError(IntakeErrorCode.missingCredentials, 'Hive callback: the token path segment is required');
  if (!secretsEqual(presented, token)) throw new UnauthenticatedError(IntakeErrorCode.badCredentials, 'Hive callback: unknown token');
}

const classesSchema = z.array(z.object({ class: z.string().min(1).max(128), score: z.number().min(0).max(1) }).or(z.unknown())).max(1000);
const outputSchema = z.array(z.object({ classes: classesSchema.optional().catch(undefined) }).or(z.unknown())).max(10_000);
const callbackSchema = z.object({
  id: sourceKeySchema,
  project_id: z.union([z.string(), z.number()]).transform(String).optional().catch(undefined),
  // Hive's task status entries each hold a response; Agora's page shows the same shape.
  status: z.array(z.object({ response: z.object({ output: outputSchema.optional().catch(undefined) }).optional().catch(undefined) }).or(z.unknown())).max(1000).optional().catch(undefined),
  // Tolerated: a bare response at the top level.
  response: z.object({ output: outputSchema.optional().catch(undefined) }).optional().catch(undefined),
});

type Output = z.output<typeof outputSchema>;

/** Highest score of each class over every frame of every status entry. */
function classScores(outputs: (Output | undefined)[]): Record<string, number> {
  const scores: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const output of outputs) {
    for (const frame of output ?? []) {
      const classes = (frame as { classes?: unknown[] } | null)?.classes ?? [];
      for (const entry of classes) {
        const c = entry as { class?: unknown; score?: unknown };
        if (typeof c.class !== 'string' || typeof c.score !== 'number') continue;
        scores[c.class] = Math.max(scores[c.class] ?? 0, c.score);
      }
    }
  }
  return scores;
}

export function readHiveCallback(body: Record<string, unknown>): Verdict {
  const cb = readWith(callbackSchema, body, 'Hive callback');
  const outputs = [
    ...(cb.status ?? []).map((s) => (s as { response?: { output?: Output } } | null)?.response?.output),
    cb.response?.output,
  ];
  const scores = classScores(outputs);
  const user = readAgoraUser(body.metadata, 'metadata', 'Hive callback');
  const top = Object.entries(scores).sort((a, b) => b[1] - a[1]).slice(0, 3);
  return {
    source: 'hive',
    key: cb.id,
    summary: clip(`Hive ${top.length ? top.map(([c, s]) => `${c} ${s}`).join(', ') : 'no classes'}: uid ${user.uid} in channel ${user.cname}`, 1024),
    subject: { kind: 'agora-rtc', channel: user.cname, uid: user.uid },
    labels: [],
    categories: [],
    scores: { ...scores },
    details: {
      ...(cb.project_id ? { projectId: clip(cb.project_id, 128) } : {}),
      ...(top.length ? { topClasses: clip(top.map(([c, s]) => `${c}=${s}`).join(','), 1024) } : {}),
      ...(user.sid ? { sid: user.sid } : {}),
      ...(user.requestId ? { requestId: user.requestId } : {}),
    },
  };
}
