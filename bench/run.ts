/**
 * `npm run bench` runs every benchmark; `npm run bench -- decisions cold-start` runs some. Each
 * compares against a baseline measured in the same run and writes its section of bench/RESULTS.md.
 */
import { benchColdStart } from './cold-start.bench.js';
import { benchDecisions } from './decisions.bench.js';
import { benchDecisionsPostgres } from './decisions-postgres.bench.js';
import { benchPendingList } from './pending-list.bench.js';
import { benchTimers } from './timers.bench.js';
import { build } from './lib/processes.js';

const BENCHES: Record<string, () => Promise<unknown>> = {
  'cold-start': benchColdStart,
  decisions: benchDecisions,
  'decisions-postgres': benchDecisionsPostgres,
  'pending-list': benchPendingList,
  timers: benchTimers,
};

const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !(a in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
build();
for (const name of asked.length > 0 ? asked : Object.keys(BENCHES)) {
  console.log(`\n== ${name}`);
  await BENCHES[name]!();
}
