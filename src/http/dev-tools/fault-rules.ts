import Type, { type Static } from 'typebox';
import { type PathGlob, compilePathGlob } from './path-glob.js';

export const FaultRuleBody = Type.Object({
  match: Type.Object({
    method: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3,7}$' })),
    /** A path glob: `*` is one segment (or part of one), `**` any number of segments. */
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '^/' })),
  }, { additionalProperties: false }),
  respond: Type.Object({
    status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599 })),
    /** Seconds, sent as `Retry-After`. */
    retryAfter: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
    /** Added latency before the answer (or before the request proceeds when there is no status). */
    delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    /** Overrides the dialect's default error code for the status. */
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    message: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  }, { additionalProperties: false }),
  /** Chance that a matching request is hit; 1 by default. */
  rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** Makes the hit sequence repeat exactly from run to run. */
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
  /** Hit only the next N matching requests (after the rate draw), then stop. */
  times: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
}, { additionalProperties: false });

export type FaultRuleInput = Static<typeof FaultRuleBody>;

export interface FaultRule {
  readonly id: string;
  readonly match: FaultRuleInput['match'];
  readonly respond: FaultRuleInput['respond'];
  readonly rate: number;
  readonly seed: number;
  readonly times: number | null;
  /** Requests that matched method and path. */
  matched: number;
  /** Requests the rule answered or delayed. */
  hits: number;
}

/** What an injected fault does to one request. */
export interface FaultAction {
  readonly rule: FaultRule;
  readonly delayMs: number;
  /** null: only delay, then serve the request normally. */
  readonly status: number | null;
}

/** mulberry32: a small, well-mixed 32-bit generator whose sequence is fixed by its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function validateFaultRule(input: FaultRuleInput): string | null {
  if (input.respond.status === undefined && input.respond.delayMs === undefined) return 'A fault rule needs "respond.status" or "respond.delayMs" (or both).';
  if (input.respond.status === undefined && (input.respond.retryAfter !== undefined || input.respond.code !== undefined || input.respond.message !== undefined)) {
    return '"respond.retryAfter", "respond.code" and "respond.message" need "respond.status".';
  }
  return null;
}

/**
 * The active rules, first match wins. Each rule draws from its own seeded generator once per
 * matching request, so with a seed the n-th matching request is hit or not identically every run.
 */
export class FaultRules {
  private rules: { rule: FaultRule; pattern: PathGlob | null; random: () => number }[] = [];

  add(input: FaultRuleInput, id: string, fallbackSeed: number): FaultRule {
    const rule: FaultRule = {
      id, match: input.match, respond: input.respond, rate: input.rate ?? 1, seed: input.seed ?? fallbackSeed,
      times: input.times ?? null, matched: 0, hits: 0,
    };
    this.rules.push({ rule, pattern: input.match.path ? compilePathGlob(input.match.path) : null, random: seededRandom(rule.seed) });
    return rule;
  }

  list(): readonly FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.rule.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  decide(method: string, path: string): FaultAction | null {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.times !== null && rule.hits >= rule.times) continue;
      if (rule.match.method && rule.match.method.toUpperCase() !== method.toUpperCase()) continue;
      if (entry.pattern && !entry.pattern(path)) continue;
      rule.matched += 1;
      if (entry.random() >= rule.rate) continue;
      rule.hits += 1;
      return { rule, delayMs: rule.respond.delayMs ?? 0, status: rule.respond.status ?? null };
    }
    return null;
  }
}
