/**
 * The worker's Prometheus series that the alert rules and the dashboard (ops/) rely on, as a real
 * worker exports them: Temporal Core's exporter writes counters without a `_total` suffix and
 * histograms in ms as `<name>_bucket` / `_sum` / `_count`. test/integration/metrics.test.ts
 * scrapes a real worker and checks this table; test/unit/ops.test.ts checks that ops/ uses
 * nothing else.
 */
export type MetricType = 'counter' | 'histogram' | 'gauge';

export interface WorkerMetric {
  type: MetricType;
  /** Labels every series of the metric has (`le` of histogram buckets aside). */
  labels: readonly string[];
}

const activityTags = ['provider', 'action', 'namespace', 'taskQueue', 'activityType'] as const;
const core = ['namespace', 'service_name', 'task_queue'] as const;

export const WORKER_METRICS: Readonly<Record<string, WorkerMetric>> = {
  takedown_takedowns: { type: 'counter', labels: ['provider', 'outcome', 'namespace', 'taskQueue', 'workflowType'] },
  takedown_provider_calls: { type: 'counter', labels: [...activityTags, 'outcome'] },
  takedown_provider_throttled: { type: 'counter', labels: activityTags },
  takedown_step_latency: { type: 'histogram', labels: [...activityTags, 'outcome'] },
  takedown_pacer_wait: { type: 'histogram', labels: activityTags },
  temporal_long_request: { type: 'counter', labels: [...core, 'operation'] },
  temporal_activity_schedule_to_start_latency: { type: 'histogram', labels: core },
  temporal_worker_task_slots_used: { type: 'gauge', labels: [...core, 'worker_type'] },
  /** A ban workflow's rule renewals, `outcome` `on-time` or `late`. */
  takedown_ban_renewals: { type: 'counter', labels: ['provider', 'outcome', 'namespace', 'taskQueue', 'workflowType'] },
};

/** Series Prometheus itself makes: `up` per target, `ALERTS` per alert. */
export const PROMETHEUS_METRICS = ['up', 'ALERTS'] as const;
