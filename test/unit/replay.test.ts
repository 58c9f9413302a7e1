import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { quietRuntime } from '../harness/temporal';

const dir = path.join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const read = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

let workflowBundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  quietRuntime();
  workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: silent });
});

async function replay(histories: { workflowId: string; history: unknown }[]) {
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle, replayName: 'takedown-replay' }, histories as never)) {
    results.push([r.workflowId, r.error?.name]);
  }
  return results;
}

test('committed histories of both flows are there, from before the plan and after, with a ban', () => {
  expect(files).toEqual(['agora-takedown-planned.json', 'agora-takedown.json', 'zego-ban-takedown.json', 'zego-ban.json', 'zego-takedown-planned.json', 'zego-takedown.json']);
});

test('the workflow code replays every committed history deterministically', async () => {
  expect(await replay(files.map((file) => ({ workflowId: file, history: read(file) })))).toEqual(files.map((f) => [f, undefined]));
});

test('a history whose steps ran in another order does not replay', async () => {
  // The recorded ZEGO takedown, with its first provider step renamed: as if the code had changed
  // which step comes first. Replay must notice.
  const history = read('zego-takedown.json');
  const scheduled = history.events.find((e: { activityTaskScheduledEventAttributes?: unknown }) => e.activityTaskScheduledEventAttributes);
  expect(scheduled.activityTaskScheduledEventAttributes.activityType.name).toBe('zegoDeleteStream');
  scheduled.activityTaskScheduledEventAttributes.activityType.name = 'zegoKickoutUser';
  expect(await replay([{ workflowId: 'reordered', history }])).toEqual([['reordered', 'DeterminismViolationError']]);
});
