/**
 * Every process the chaos run starts is registered here, so it is stopped at the end: on success,
 * on failure, on an uncaught error, and on Ctrl-C.
 */

/** Something that can be stopped; `stop` must be safe to call twice. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

const running = new Set<Stoppable>();
let handlersInstalled = false;

/** Registers a process (or any resource) to stop at the end; returns a function that forgets it. */
export function track(resource: Stoppable): () => void {
  running.add(resource);
  installSignalHandlers();
  return () => running.delete(resource);
}

/** Stops everything still registered, newest first; never throws. */
export async function stopAll(): Promise<void> {
  const all = [...running].reverse();
  running.clear();
  for (const resource of all) {
    try {
      await resource.stop();
    } catch (err) {
      console.error(`[chaos] could not stop ${resource.name}: ${(err as Error).message}`);
    }
  }
}

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`[chaos] ${signal}: stopping every process started by this run`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}
