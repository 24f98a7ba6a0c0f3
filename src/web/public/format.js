const UNITS = [['D', 'day', 86_400_000], ['H', 'hour', 3_600_000], ['M', 'minute', 60_000], ['S', 'second', 1000]];

/** "PT1H30M" → "1 hour 30 minutes"; anything unrecognised is shown as given. */
export function formatIsoDuration(iso) {
  if (!iso) return null;
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!match) return iso;
  const parts = UNITS.map(([, unit], i) => [Number(match[i + 1] ?? 0), unit]).filter(([n]) => n > 0);
  return parts.length ? parts.map(([n, unit]) => plural(n, unit)).join(' ') : iso;
}

/** Milliseconds → the two largest units, e.g. "23 hours 59 minutes". */
export function formatSpan(ms) {
  const parts = [];
  let rest = Math.max(0, ms);
  for (const [, unit, size] of UNITS.slice(0, 3)) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push([n, unit]);
  }
  const shown = parts.filter(([n]) => n > 0).slice(0, 2);
  return shown.length ? shown.map(([n, unit]) => plural(n, unit)).join(' ') : 'less than a minute';
}

export function plural(n, unit) {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

export function formatDate(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Graph's requestSchedule / entitlementManagementSchedule as one line of prose. */
export function formatSchedule(schedule) {
  if (!schedule) return null;
  const start = schedule.startDateTime ? `from ${formatDate(schedule.startDateTime)}` : 'from approval';
  const expiration = schedule.expiration ?? {};
  if (expiration.duration) return `${start}, for ${formatIsoDuration(expiration.duration)}`;
  if (expiration.endDateTime) return `${start} until ${formatDate(expiration.endDateTime)}`;
  return `${start}, no end date`;
}

export function formatTicket(ticket) {
  if (!ticket || (!ticket.ticketNumber && !ticket.ticketSystem)) return null;
  return [ticket.ticketSystem, ticket.ticketNumber].filter(Boolean).join(' ');
}
