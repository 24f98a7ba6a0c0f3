/** One piece of a path glob: a literal character, `*` (no `/`) or `**` (anything). */
type Token = { readonly literal: string } | { readonly star: 'segment' | 'any' };

/** A compiled path glob: whether a request path matches it. */
export type PathGlob = (path: string) => boolean;

/** `glob` already lower-cased, read in UTF-16 code units as the path is. */
function tokenize(glob: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] !== '*') {
      tokens.push({ literal: glob[i]! });
      continue;
    }
    let run = 1;
    while (glob[i + 1] === '*') { i++; run++; }
    const star = run >= 2 ? 'any' : 'segment';
    // Neighbouring stars match what the widest of them matches; one token keeps the state set small.
    const last = tokens[tokens.length - 1];
    if (last && 'star' in last) {
      if (star === 'any') tokens[tokens.length - 1] = { star };
    } else {
      tokens.push({ star });
    }
  }
  return tokens;
}

/**
 * `*` matches within one segment (or part of one), `**` across segments; case-insensitive, as
 * Graph treats paths. Matching runs the glob as a set of positions over the path (Thompson's
 * construction), so it costs at most path length × glob length whatever the glob: anyone may post
 * a fault rule, and a backtracking regular expression would let one rule stall the server.
 */
export function compilePathGlob(glob: string): PathGlob {
  const tokens = tokenize(glob.toLowerCase());
  const size = tokens.length;
  // A star may match nothing, so a position before one also stands after it.
  const close = (at: Uint8Array): void => {
    for (let i = 0; i < size; i++) if (at[i] && 'star' in tokens[i]!) at[i + 1] = 1;
  };
  return (path) => {
    let current = new Uint8Array(size + 1);
    let next = new Uint8Array(size + 1);
    current[0] = 1;
    close(current);
    const text = path.toLowerCase();
    for (let at = 0; at < text.length; at++) {
      const char = text[at];
      next.fill(0);
      let alive = false;
      for (let i = 0; i < size; i++) {
        if (!current[i]) continue;
        const token = tokens[i]!;
        if ('literal' in token) {
          if (token.literal === char) { next[i + 1] = 1; alive = true; }
        } else if (token.star === 'any' || char !== '/') {
          next[i] = 1;
          alive = true;
        }
      }
      if (!alive) return false;
      close(next);
      [current, next] = [next, current];
    }
    return current[size] === 1;
  };
}
