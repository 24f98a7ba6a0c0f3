import { type StoreImage, captureImage, clearToMigrated, imageSize, restoreImage, stateTables } from '../store/snapshots.js';
import type { Store } from '../store/store.js';
import { insertTenant } from '../tenant/seed-tenant.js';
import type { TenantFile } from '../tenant/tenant-file.js';
import type { DevClock } from './clock.js';

export interface SnapshotInfo {
  readonly id: string;
  /** The emulator clock's reading when the snapshot was taken. */
  readonly takenAt: string;
  readonly rows: number;
}

export interface EmulatorStateOptions {
  readonly store: Store;
  readonly clock: DevClock;
  readonly newId: () => string;
  /** The tenant the server started with; null when it started empty. */
  readonly tenant: TenantFile | null;
  /** The store just after this process seeded it, when it did. */
  readonly seedImage: StoreImage | null;
  /** The clock offset the store holds, so the clock follows the state it was restored to. */
  readonly storedClockOffset: () => Promise<number>;
  readonly maxSnapshots?: number;
}

/** Unknown snapshot id. */
export class SnapshotNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`No snapshot '${id}'. GET /dev/snapshots lists them.`);
    this.name = 'SnapshotNotFoundError';
  }
}

/**
 * The emulator's state controls: reset to the seeded tenant, snapshot, restore. Snapshots are held
 * in this process's memory (they are test fixtures, not backups) and the oldest is dropped beyond
 * the limit. Audit log and outbox are part of the state: a restore brings them back to the same
 * instant, so events of the undone work are never delivered and events pending at snapshot time are
 * delivered again (webhooks are at-least-once, with the same event id). The dev clock is part of
 * the state too: it goes back to the offset the image holds.
 */
export class EmulatorState {
  private readonly snapshots = new Map<string, { info: SnapshotInfo; image: StoreImage }>();
  private seedImage: StoreImage | null;
  private tables: readonly string[] | null = null;
  // One state change at a time within this process: a reset racing a restore must not interleave.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: EmulatorStateOptions) {
    this.seedImage = options.seedImage;
  }

  /** Captures the store as it is now; used right after seeding so a reset is byte-identical. */
  static async capture(store: Store): Promise<StoreImage> {
    return captureImage(store, await stateTables(store.db));
  }

  list(): SnapshotInfo[] {
    return [...this.snapshots.values()].map((s) => s.info).reverse();
  }

  snapshot(): Promise<SnapshotInfo> {
    return this.serialised(async () => {
      const image = await captureImage(this.options.store, await this.stateTables());
      const info: SnapshotInfo = { id: this.options.newId(), takenAt: this.options.clock.now(), rows: imageSize(image) };
      this.snapshots.set(info.id, { info, image });
      const limit = this.options.maxSnapshots ?? 100;
      for (const id of this.snapshots.keys()) {
        if (this.snapshots.size <= limit) break;
        this.snapshots.delete(id);
      }
      return info;
    });
  }

  restore(id: string): Promise<SnapshotInfo> {
    return this.serialised(async () => {
      const found = this.snapshots.get(id);
      if (!found) throw new SnapshotNotFoundError(id);
      await restoreImage(this.options.store, found.image, await this.stateTables());
      await this.followStoredClock();
      return found.info;
    });
  }

  forget(id: string): boolean {
    return this.snapshots.delete(id);
  }

  /**
   * Back to the tenant the server started with. When this process did not seed the store (a
   * restart on existing data), the first reset seeds afresh and later resets return to that.
   */
  reset(): Promise<void> {
    return this.serialised(async () => {
      const { store, tenant, newId } = this.options;
      const tables = await this.stateTables();
      if (this.seedImage) {
        await restoreImage(store, this.seedImage, tables);
      } else {
        await store.transaction(async (tx) => {
          await clearToMigrated(tx, tables);
          if (tenant) await insertTenant(tx, tenant, new Date().toISOString(), newId);
        });
        this.seedImage = await captureImage(store, tables);
      }
      await this.followStoredClock();
    });
  }

  private async followStoredClock(): Promise<void> {
    this.options.clock.rewindTo(await this.options.storedClockOffset());
  }

  private async stateTables(): Promise<readonly string[]> {
    this.tables ??= await stateTables(this.options.store.db);
    return this.tables;
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
