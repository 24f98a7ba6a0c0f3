import type { FastifyInstance } from 'fastify';
import type { Family } from '../../domain/request.js';
import { listActiveAssignments } from '../../store/assignments-repo.js';
import type { AssignmentRow } from '../../store/schema.js';
import { withExpansions } from './expansions.js';
import { type GraphDeps, callerOf, odataContext } from './graph-context.js';
import { type EntityType, odataQuery, wholeList } from './odata.js';

/** One Graph list of active assignments (schedule instances, schedules): where it lives and how its items look. */
export interface AssignmentList {
  readonly path: string;
  readonly type: EntityType;
  readonly shape: (a: AssignmentRow) => Record<string, unknown>;
  /** The store's order (start, then id) where the items show it; `$orderby` may ask for it. */
  readonly order?: readonly string[];
}

/** Instances show the assignment's start and id, the keys the store lists by (assignments-repo.ts). */
export const INSTANCE_ORDER = ['startDateTime', 'id'];

/** Listing reads are bounded; these lists are per caller (or per tenant for administrators). */
const LIST_LIMIT = 1000;

/** Assignments active now, from granted requests and standing ones: the caller's own, or all for administrators. */
export function registerAssignmentLists(app: FastifyInstance, deps: GraphDeps, family: Family, lists: readonly AssignmentList[]): void {
  for (const { path, type, shape, order = [] } of lists) {
    app.get(path, async (request) => {
      const q = odataQuery(request, type, order);
      const caller = callerOf(request);
      const rows = await listActiveAssignments(deps.services.store.db, {
        family, activeAt: deps.services.clock.now(), limit: LIST_LIMIT, ...(caller.isAdmin ? {} : { principalId: caller.userId }),
      });
      return wholeList(request, odataContext(request, deps.version, path.replace(/^\//, '')), await withExpansions(deps.services.store.db, q, rows.map(shape)), q);
    });
  }
}
