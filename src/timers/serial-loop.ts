export interface SerialLoop<T> {
  /** Runs now (or waits for the run in progress and runs again), so a caller sees everything due before it asked. */
  runNow(): Promise<T>;
  /** Stops the interval and waits for the run in progress. */
  stop(): Promise<void>;
}

/**
 * Calls `run` every `intervalMs`, never two runs at once: a tick that finds a run in progress is
 * skipped. `onResult` and `onError` report a tick's run; a `runNow` caller gets its own result.
 */
export function startSerialLoop<T>(run: () => Promise<T>, intervalMs: number, onResult: (result: T) => void, onError: (error: unknown) => void): SerialLoop<T> {
  let running: Promise<T> | null = null;
  let stopped = false;
  const runNow = async (): Promise<T> => {
    while (running) await running.catch(() => undefined);
    running = run().finally(() => { running = null; });
    return running;
  };
  const handle = setInterval(() => {
    if (stopped || running) return;
    runNow().then(onResult, onError);
  }, intervalMs);
  handle.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(handle);
      while (running) await running.catch(() => undefined);
    },
  };
}
