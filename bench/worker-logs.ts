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

/** Matching lines kept per pattern as they were logged, so a report can say what the server refused. */
const SAMPLES_PER_PATTERN = 3;
/** Characters kept of each sample line. */
const SAMPLE_CHARS = 400;

/** Longest partial line kept between chunks: a longer one is counted in pieces rather than held forever. */
const MAX_PENDING_CHARS = 1 << 20;

/** Line counts over every stream fed to it. */
export class WorkerLogCounter {
  private readonly counts: WorkerLogCounts = { resourceExhausted: 0, workflowTaskNotFound: 0 };
  private readonly firstLines: Record<keyof WorkerLogCounts, string[]> = { resourceExhausted: [], workflowTaskNotFound: [] };

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
      if (!WORKER_LOG_PATTERNS[name].test(line)) continue;
      this.counts[name]++;
      if (this.firstLines[name].length < SAMPLES_PER_PATTERN) this.firstLines[name].push(line.slice(0, SAMPLE_CHARS));
    }
  }

  /** The counts so far (a copy). */
  snapshot(): WorkerLogCounts {
    return { ...this.counts };
  }

  /** The first few matching lines of each kind (at most 400 characters each). */
  samples(): Record<keyof WorkerLogCounts, string[]> {
    return { resourceExhausted: [...this.firstLines.resourceExhausted], workflowTaskNotFound: [...this.firstLines.workflowTaskNotFound] };
  }

  /** The counts since `before` (a {@link snapshot}). */
  since(before: WorkerLogCounts): WorkerLogCounts {
    const out = this.snapshot();
    for (const name of Object.keys(out) as (keyof WorkerLogCounts)[]) out[name] -= before[name];
    return out;
  }
}
