import type { FaultAnswer, InjectFault } from './control-schemas';
import type { Provider } from './operations';

/**
 * Queued faults per operation. Each injection answers the next `count` requests of its operation;
 * several injections for one operation are used in the order they were made.
 */
export class FaultQueue {
  private readonly queues = new Map<string, { answer: FaultAnswer; remaining: number }[]>();

  inject(fault: InjectFault): void {
    const key = queueKey(fault.provider, fault.operation);
    const queue = this.queues.get(key) ?? [];
    queue.push({ answer: fault.answer, remaining: fault.count });
    this.queues.set(key, queue);
  }

  /** Consumes one use of the oldest pending fault for this operation. */
  take(provider: Provider, operation: string): FaultAnswer | undefined {
    const queue = this.queues.get(queueKey(provider, operation));
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.answer;
  }

  clear(): void {
    this.queues.clear();
  }
}

function queueKey(provider: Provider, operation: string): string {
  return `${provider}:${operation}`;
}

/** How a fault shows in the request log. */
export function faultName(answer: FaultAnswer): string {
  if ('zegoCode' in answer) return 'zegoCode';
  if ('status' in answer) return 'status';
  if ('drop' in answer) return 'drop';
  return 'latency';
}
