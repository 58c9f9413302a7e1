import { MAX_SESSION_RECHECKS, STEP_KINDS, isRead, planAgora, planZego, type Step } from '../../src/workflows/plan';

const warnings: unknown[] = [];
jest.mock('@temporalio/workflow', () => ({ log: { warn: (...args: unknown[]) => warnings.push(args) } }));

const zego = { provider: 'zego' as const, appId: 1, roomId: 'r', streamId: 's', userId: 'u', kick: true, mixTasks: [] as { taskId: string; userId: string }[] };
const agora = { provider: 'agora' as const, appId: 'a', region: 'na' as const, streamKey: 'key' };

/** Kinds of a plan, expanding each read with the sessions it is given, round by round. */
function expand(steps: Step[], found: string[][]): string[] {
  return steps.flatMap((step) => (isRead(step) ? [step.kind, ...expand((step.then as (f: unknown) => Step[])({ sids: found.shift() ?? [] }), found)] : [step.kind]));
}

describe('planZego', () => {
  it('deletes the stream, stops each mix it feeds, then kicks the publisher', () => {
    const plan = planZego({ ...zego, mixTasks: [{ taskId: 'm1', userId: 'o' }, { taskId: 'm2', userId: 'o' }] }, { reason: 'nsfw' });
    expect(plan.map((s) => s.kind)).toEqual(['DeleteStream', 'StopMix', 'StopMix', 'KickoutUser']);
    expect(plan[3]).toMatchObject({ input: { appId: 1, roomId: 'r', userIds: ['u'], customReason: 'nsfw' }, summary: 'KickoutUser r/u' });
    expect(plan[1]).toMatchObject({ input: { taskId: 'm1', userId: 'o' }, subject: { taskId: 'm1' } });
  });

  it('plans the kick as skipped when the request turns it off', () => {
    expect(planZego({ ...zego, kick: false }, {}).at(-1)).toMatchObject({ kind: 'KickoutUser', skip: true });
  });
});

describe('planAgora', () => {
  it('deletes the key before finding and disconnecting sessions, then rechecks until none is new', () => {
    const plan = planAgora(agora, { dryRun: false });
    expect(expand(plan, [['s1', 's2'], ['s1', 's3'], ['s1']])).toEqual(['DeleteStreamKey', 'FindSessions', 'ForceDisconnect', 'ForceDisconnect', 'SessionRecheck', 'ForceDisconnect', 'SessionRecheck']);
  });

  it(`stops after ${MAX_SESSION_RECHECKS} rechecks and warns about the sessions left`, () => {
    warnings.length = 0;
    const rounds = Array.from({ length: 10 }, (_, i) => [`s${i}`]);
    const kinds = expand(planAgora({ ...agora, sid: 'first' }, { dryRun: false }), rounds);
    expect(kinds.filter((k) => k === 'SessionRecheck')).toHaveLength(MAX_SESSION_RECHECKS + 1);
    expect(kinds.filter((k) => k === 'ForceDisconnect')).toHaveLength(MAX_SESSION_RECHECKS + 1);
    expect(warnings).toEqual([['sessions of the key still appear after the last recheck', { remaining: 1 }]]);
  });

  it('in a dry run looks once and plans the disconnects without a recheck', () => {
    expect(expand(planAgora(agora, { dryRun: true }), [['s1']])).toEqual(['DeleteStreamKey', 'FindSessions', 'ForceDisconnect']);
    expect(planAgora({ ...agora, sid: 'x' }, { dryRun: true }).map((s) => s.kind)).toEqual(['DeleteStreamKey', 'ForceDisconnect']);
  });
});

describe('STEP_KINDS', () => {
  it("runs each provider call on a bucket of the step's own provider; only ban joins run on the workflow queue", () => {
    for (const spec of Object.values(STEP_KINDS) as { provider: string; activity: string; bucket?: string; alreadyDone: string }[]) {
      if (spec.bucket === undefined) expect(spec.activity).toBe('joinBan');
      else expect(spec.activity.startsWith(spec.provider)).toBe(true);
      expect(spec.alreadyDone.length).toBeGreaterThan(0);
    }
  });
});
