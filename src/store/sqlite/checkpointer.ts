import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

const INTERVAL_MS = 250;

/**
 * The worker's whole program. It opens its own connection to the store's file and copies the WAL
 * back into the database every INTERVAL_MS; PASSIVE never waits for, nor blocks, the server's
 * readers and writer.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error)); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Frames after which the writer checkpoints itself: only when the worker has not kept the log short. */
const WRITER_AUTOCHECKPOINT_PAGES = 10_000;
/** A log rewound after a burst is cut back to this size instead of keeping its peak. */
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Moves most of the checkpoint work off the request path. SQLite otherwise checkpoints inside
 * whichever commit crosses 1,000 WAL pages, and that commit pays for copying the pages and for the
 * fsyncs that make them durable, on the one thread that serves every request. A worker thread
 * copies the log back every INTERVAL_MS instead. The log can only be rewound, though, when a write
 * transaction begins with every frame copied, which under steady load the worker never sees; so
 * the writer still checkpoints itself every WRITER_AUTOCHECKPOINT_PAGES, by then with little left
 * to copy, and the log stays bounded. If the worker stops, the writer goes back to SQLite's default.
 */
export function startCheckpointer(native: BetterSqlite3.Database, file: string): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs: INTERVAL_MS } });
  worker.unref();
  native.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
  native.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
  let stopping = false;
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => {
    exited = true;
    if (!stopping && native.open) native.pragma('wal_autocheckpoint = 1000');
    resolve();
  }));
  worker.on('error', (error) => process.emitWarning(`The SQLite checkpoint worker stopped: ${error.message}; the writer checkpoints for itself.`));
  worker.on('message', (message: string) => process.emitWarning(`SQLite checkpoint failed: ${message}`));
  return {
    async stop() {
      if (!stopping && !exited) {
        stopping = true;
        // Unreferenced so an idle server may exit; referenced while stopping, so whoever awaits the stop sees it.
        worker.ref();
        worker.postMessage('stop');
      }
      stopping = true;
      await exit;
    },
  };
}
