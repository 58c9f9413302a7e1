import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fleetApps, impliedPollers, writeFleetConfig } from '../../../scripts/scale-apps/fleet';
import { parsePrometheus, sumBy } from '../../../scripts/scale-apps/prometheus';
import { loadConfig } from '../../../src/takedown-worker/config';

describe('scale-apps fleet', () => {
  test('apps have distinct AppIds and distinct 32-character secrets', () => {
    const apps = fleetApps(300);
    expect(new Set(apps.map((a) => a.appId)).size).toBe(300);
    expect(new Set(apps.map((a) => a.serverSecret)).size).toBe(300);
    expect(apps.every((a) => a.serverSecret.length === 32)).toBe(true);
  });

  test('pollers implied by a config file of ZEGO apps at their documented limits', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scale-apps-test-'));
    try {
      const config = loadConfig({ TEMPORAL_ADDRESS: '127.0.0.1:7233', TAKEDOWN_CONFIG_FILE: writeFleetConfig(dir, fleetApps(2)) });
      // Per app at 0.9 headroom: DeleteStream 9/s and ForbidRule 9/s get 4 (one per partition), StopMix
      // 90/s 9, KickoutUser and DescribeSimpleStreamList 45/s 5 each; plus 10 workflow pollers (SDK
      // default) and 2 activity pollers on the workflow queue, and 2 on the pacers' queue.
      expect(impliedPollers(config)).toEqual({ activityQueues: 10, activityQueuePollers: 54, fixedPollers: 14, total: 68 });
      // Shared queues: one per bucket for any number of apps, 4 pollers each (one per partition).
      for (const n of [2, 1000]) {
        const shared = loadConfig({ TEMPORAL_ADDRESS: '127.0.0.1:7233', TAKEDOWN_CONFIG_FILE: writeFleetConfig(dir, fleetApps(n)), TAKEDOWN_QUEUE_LAYOUT: 'shared' });
        expect(impliedPollers(shared)).toEqual({ activityQueues: 5, activityQueuePollers: 20, fixedPollers: 14, total: 34 });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scale-apps Prometheus reader', () => {
  const text = [
    '# HELP pending_polls polls',
    'pending_polls{namespace="default",task_type="Activity",partition="0"} 3',
    'pending_polls{namespace="default",task_type="Activity",partition="1"} 2',
    'pending_polls{namespace="default",task_type="Workflow"} 1',
    'pending_polls{namespace="temporal_system",task_type="Activity"} 7',
    'temporal_num_pollers{poller_type="activity_task",task_queue="q/a \\"x\\""} 10',
    'not a sample',
  ].join('\n');

  test('sums a gauge by one label within a filter', () => {
    expect(sumBy(parsePrometheus(text), 'pending_polls', 'task_type', { namespace: 'default' })).toEqual({ Activity: 5, Workflow: 1 });
  });

  test('reads quoted label values and skips comments and malformed lines', () => {
    const samples = parsePrometheus(text);
    expect(samples).toHaveLength(5);
    expect(sumBy(samples, 'temporal_num_pollers', 'task_queue')).toEqual({ 'q/a \\"x\\"': 10 });
  });
});
