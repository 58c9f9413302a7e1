/**
 * Counts worker log lines that signal trouble under load, across many worker processes: the
 * server refusing work (`ResourceExhausted`, a poller limit) and completions for workflow tasks
 * the server had already given up on ("Workflow task not found"). Lines arrive as pipe chunks,
 * which may end mid-line, so each stream is split on its own.
 */

/** What is counted, by name: one count per matching line. */
export const WORKER_LOG_PATTERNS = {
  /** gRPC RESOURCE_EXHAUSTED from the server (rate or poller limits), as the SDK core logs it. */
  resourceExhausted: /ResourceExhausted|RESOURCE_EXHAUSTED|resource exhausted|poller[^"]{0,40}limit|too many (outstanding )?pollers/i,
  /** A workflow task completed after the server had timed it out or handed it to another worker. */
  workflowTaskNotFound: /workflow task not found/i,
} as const;

export type WorkerLogCounts = Record<keyof typeof WORKER_LOG_PATTERNS, number>;

/** Longest partial line kept between chunks: a longer one is counted in pieces rather than held forever. */
const MAX_PENDING_CHARS = 1 << 20;

/** Line counts over every stream fed to it. */
export class WorkerLogCounter {
  private readonly counts: WorkerLogCounts = { resourceExhausted: 0, workflowTaskNotFound: 0 };

  /** A feeder for one stream (one process's stdout or stderr): chunks in, whole lines counted. */
  stream(): (chunk: Buffer | string) => void {
    let pending = '';
    return (chunk) => {
      const text = pending + chunk.toString();
      const lines = text.split('\n');
      pending = lines.pop()!;
      if (pending.length > MAX_PENDING_CHARS) {
        lines.push(pending);
        pending = '';
      }
      for (const line of lines) this.count(line);
    };
  }

  private count(line: string): void {
    for (const name of Object.keys(WORKER_LOG_PATTERNS) as (keyof WorkerLogCounts)[]) {
      if (WORKER_LOG_PATTERNS[name].test(line)) this.counts[name]++;
    }
  }

  /** The counts so far (a copy). */
  snapshot(): WorkerLogCounts {
    return { ...this.counts };
  }

  /** The counts since `before` (a {@link snapshot}). */
  since(before: WorkerLogCounts): WorkerLogCounts {
    const out = this.snapshot();
    for (const name of Object.keys(out) as (keyof WorkerLogCounts)[]) out[name] -= before[name];
    return out;
  }
}
