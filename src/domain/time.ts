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

/**
 * The span of instants Signoff keeps. Outside the years 0000–9999 an ISO 8601 string needs a sign
 * and six digits: it no longer sorts as text, and Microsoft's clients cannot read it.
 */
export const EARLIEST_INSTANT: Instant = '0000-01-01T00:00:00.000Z';
export const LATEST_INSTANT: Instant = '9999-12-31T23:59:59.999Z';
const EARLIEST_MS = Date.parse(EARLIEST_INSTANT);
const LATEST_MS = Date.parse(LATEST_INSTANT);

function isKept(ms: number): boolean {
  return ms >= EARLIEST_MS && ms <= LATEST_MS;
}

/** `at` moved by `ms`, or null when that leaves the span Signoff keeps (a JS Date would throw further out). */
export function addWithinCalendar(at: Instant, ms: number): Instant | null {
  const moved = Date.parse(at) + ms;
  return isKept(moved) ? new Date(moved).toISOString() : null;
}

export function isAtOrAfter(now: Instant, deadline: Instant | null): boolean {
  return deadline !== null && Date.parse(now) >= Date.parse(deadline);
}

// Graph accepts offsets and fractional seconds; a bare date or free text is refused.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A real date and time within the span Signoff keeps. */
export function isValidInstant(value: string): boolean {
  const m = INSTANT.exec(value);
  // Date.parse rolls an impossible day into the next month (2027-02-30 becomes 2 March), so the day is checked first.
  return m !== null && Number(m[3]) <= daysInMonth(Number(m[1]), Number(m[2])) && isKept(Date.parse(value));
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
