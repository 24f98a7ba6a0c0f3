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

/**
 * Moves WAL checkpoints off the request path. SQLite otherwise checkpoints inside whichever commit
 * crosses 1,000 WAL pages, and that commit pays for copying the pages and for the fsyncs that make
 * them durable, on the one thread that serves every request. Here a worker thread checkpoints
 * instead; if it ever stops, the connection checkpoints for itself again, so the WAL stays bounded.
 */
export function startCheckpointer(native: BetterSqlite3.Database, file: string): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs: INTERVAL_MS } });
  worker.unref();
  native.pragma('wal_autocheckpoint = 0');
  let stopping = false;
  const fallBack = () => {
    if (!stopping && native.open) native.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  worker.on('message', (message: string) => process.emitWarning(`SQLite checkpoint failed: ${message}`));
  return {
    async stop() {
      stopping = true;
      // Unreferenced so an idle server may exit; referenced while stopping, so whoever awaits the stop sees it.
      worker.ref();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      await exited;
    },
  };
}
