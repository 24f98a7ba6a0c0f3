/** `/a/:id/b` against `/a/42/b`: static segments equal, a parameter any one non-empty segment, `*` the rest. */
function fits(pattern: readonly string[], path: readonly string[]): boolean {
  for (const [i, part] of pattern.entries()) {
    if (part === '*') return true;
    const segment = path[i];
    if (segment === undefined || segment === '' || (!part.startsWith(':') && part !== segment)) return false;
  }
  return pattern.length === path.length;
}

/** Whether the first `depth` segments of `path` are where some route of `pattern` goes. */
function prefixFits(pattern: readonly string[], path: readonly string[], depth: number): boolean {
  for (let i = 0; i < depth; i++) {
    const part = pattern[i];
    if (part === '*') return true;
    const segment = path[i];
    if (part === undefined || segment === undefined || segment === '' || (!part.startsWith(':') && part !== segment)) return false;
  }
  return true;
}

const segmentsOf = (url: string) => url.split('?')[0]!.replace(/^\/+|\/+$/g, '').split('/');

/**
 * The methods a plugin's routes answer, recorded as they register, so that a request no route
 * matched can be told which methods its URL has (405 with Allow) rather than that nothing is there.
 */
export class RouteMethods {
  private readonly routes: Array<{ readonly pattern: readonly string[]; readonly methods: readonly string[] }> = [];

  record(methods: string | readonly string[], url: string): void {
    this.routes.push({ pattern: segmentsOf(url), methods: typeof methods === 'string' ? [methods] : methods });
  }

  /** The methods some route answers at `url`, sorted; empty when no route has this path. */
  at(url: string): string[] {
    const path = segmentsOf(url);
    const methods = this.routes.filter((r) => fits(r.pattern, path)).flatMap((r) => r.methods);
    if (methods.includes('GET')) methods.push('HEAD');
    return [...new Set(methods)].sort();
  }

  /**
   * The first segment of `url` that no route has after the segments before it, as sent; null when
   * every segment leads somewhere and only the whole path is unknown.
   */
  firstUnknownSegment(url: string): string | null {
    const path = segmentsOf(url);
    const at = path.findIndex((_, i) => !this.routes.some((r) => prefixFits(r.pattern, path, i + 1)));
    return at < 0 ? null : path[at]!;
  }
}
