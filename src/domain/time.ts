/** Instants travel as ISO 8601 UTC strings so they compare, store and serialise the same everywhere. */
export type Instant = string;

export function toInstant(date: Date): Instant {
  return date.toISOString();
}

export function addMinutes(at: Instant, minutes: number): Instant {
  return new Date(Date.parse(at) + minutes * 60_000).toISOString();
}

export function addMilliseconds(at: Instant, ms: number): Instant {
  return new Date(Date.parse(at) + ms).toISOString();
}

export function isAtOrAfter(now: Instant, deadline: Instant | null): boolean {
  return deadline !== null && Date.parse(now) >= Date.parse(deadline);
}

export function isValidInstant(value: string): boolean {
  // Graph accepts offsets and fractional seconds; a bare date or free text is refused.
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value));
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/**
 * ISO 8601 durations as Graph uses them (`PT8H`, `P1D`, `P1DT2H30M`). Years, months and weeks are
 * refused because their length depends on the calendar and no approval setting needs them.
 * Returns milliseconds, or null when the text is not such a duration.
 */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m || text === 'P' || /T$/i.test(text)) return null;
  const [, d, h, min, s] = m;
  if (d === undefined && h === undefined && min === undefined && s === undefined) return null;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Math.round(Number(s ?? 0) * 1000);
}

export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  let out = 'P';
  if (days) out += `${days}D`;
  if (hours || minutes || seconds || !days) {
    out += 'T';
    if (hours) out += `${hours}H`;
    if (minutes) out += `${minutes}M`;
    if (seconds || (!hours && !minutes)) out += `${seconds}S`;
  }
  return out;
}
