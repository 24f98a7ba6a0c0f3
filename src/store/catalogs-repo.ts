import type { ResourceRow } from './schema.js';
import type { Db } from './store.js';

/** Entitlement management catalogs live in the resource catalogue under their own kind; nothing is requested from them directly. */
const CATALOG = 'catalog';

export async function listCatalogs(db: Db): Promise<ResourceRow[]> {
  return db.selectFrom('resources').selectAll().where('family', '=', CATALOG).orderBy('display_name').execute();
}

export async function getCatalog(db: Db, id: string): Promise<ResourceRow | undefined> {
  return db.selectFrom('resources').selectAll().where('family', '=', CATALOG).where('id', '=', id.toLowerCase()).executeTakeFirst();
}
