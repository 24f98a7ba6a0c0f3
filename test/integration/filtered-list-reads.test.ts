import type { KyselyPlugin } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/store.js';
import type { ApiResponse } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { testStores } from '../support/test-server.js';

const EXTRA_USERS = 300;
/** Every seventh of the extra users is named so a filter finds it. */
const FOUND_EVERY = 7;

describe.each(testStores())('A $filter-ed list the store pages (%s store)', (store) => {
  const signoff = useTestServer({ store });
  const found: string[] = [];

  beforeAll(async () => {
    const rows = Array.from({ length: EXTRA_USERS }, (_, i) => {
      const n = String(i).padStart(4, '0');
      const id = `f${n}0000-0000-4000-8000-000000000000`;
      if (i % FOUND_EVERY === 0) found.push(id);
      return {
        id, user_principal_name: `extra${n}@contoso.com`, upn_lower: `extra${n}@contoso.com`,
        display_name: i % FOUND_EVERY === 0 ? `Found ${n}` : `Extra ${n}`, mail: null, job_title: null, manager_id: null, created_at: '2026-01-01T00:00:00.000Z',
      };
    });
    await signoff.server.running.services.store.transaction((tx) => tx.insertInto('users').values(rows).execute());
  });

  /** Runs `fn` with the server's store reads counted. */
  async function countingReads<T>(fn: () => Promise<T>): Promise<{ result: T; reads: number }> {
    const store = signoff.server.running.services.store as { db: Db };
    const original = store.db;
    let reads = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => { reads++; return args.node; },
      transformResult: async (args) => args.result,
    };
    store.db = original.withPlugin(counter);
    try {
      return { result: await fn(), reads };
    } finally {
      store.db = original;
    }
  }

  async function everyPage(path: string): Promise<ApiResponse[]> {
    const pages: ApiResponse[] = [];
    for (let url: string | undefined = path; url;) {
      expect(pages.length, 'pages followed').toBeLessThan(100);
      const res: ApiResponse = await signoff.api.get(url, 'admin');
      expect(res.status, res.text).toBe(200);
      pages.push(res);
      const next: string | undefined = res.body['@odata.nextLink'];
      url = next ? `${new URL(next).pathname}${new URL(next).search}` : undefined;
    }
    return pages;
  }

  it('reads the store in pages of a hundred or more whatever $top is, so $top=1 does not cost a round trip per item looked at', async () => {
    const filter = encodeURIComponent("displayName eq 'nobody'");
    const { result, reads } = await countingReads(() => signoff.api.get(`/v1.0/users?$top=1&$filter=${filter}`, 'admin'));
    expect(result.status, result.text).toBe(200);
    expect(result.body.value).toEqual([]);
    expect(result.body['@odata.nextLink']).toBeUndefined();
    // The caller, then the whole directory (a little over 300 users) in a few reads.
    expect(reads).toBeLessThanOrEqual(10);
  });

  it('still answers pages of $top that skip and repeat nothing when a read holds more than a page', async () => {
    for (const top of [1, 3, 40]) {
      const filter = encodeURIComponent("startswith(displayName, 'Found ')");
      const pages = await everyPage(`/v1.0/users?$top=${top}&$filter=${filter}`);
      const ids = pages.flatMap((page) => page.body.value.map((user: any) => user.id));
      expect(ids, `$top=${top}`).toEqual(found);
      expect(pages.slice(0, -1).every((page) => page.body.value.length === top), `$top=${top}: full pages`).toBe(true);
    }
  });
});
