/** What the request log shows instead of a credential. */
export const REDACTED = '[redacted]';

// Field names that hold credentials in our APIs, OAuth answers and webhook subscriptions.
const SECRET_KEY = /(token|api[_-]?key|private[_-]?key|signing[_-]?key|authorization|cookie)$|secret|password|passphrase/i;
// Three base64url parts, the first decoding to a JSON object: anything that looks like a JWT.
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9\-_.~+/]+=*/gi;
// Standard Webhooks secrets (`whsec_...`).
const WEBHOOK_SECRET = /\bwhsec_[A-Za-z0-9+/=]+/g;

export function redactText(text: string): string {
  return text.replace(BEARER, `$1 ${REDACTED}`).replace(JWT, REDACTED).replace(WEBHOOK_SECRET, REDACTED);
}

export function isSecretName(name: string): boolean {
  return SECRET_KEY.test(name);
}

/** A deep copy with secret-named fields replaced and credentials inside any string removed. */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSecretName(k) && v !== null && v !== '' ? REDACTED : redactValue(v)]));
  }
  return value;
}

/** A body as logged: JSON parsed and redacted, other text redacted and cut to `maxChars`. */
export function redactBody(raw: unknown, maxChars: number): unknown {
  if (raw === undefined || raw === null || raw === '') return null;
  // Parsed bodies go through text too, so a large one is cut like any other.
  const text = typeof raw === 'string' || Buffer.isBuffer(raw) ? raw.toString() : JSON.stringify(raw);
  // A slice would keep the whole original string alive for as long as the log holds the entry:
  // copy the kept part so only it stays in memory.
  if (text.length > maxChars) return `${redactText(Buffer.from(text.slice(0, maxChars)).toString())}… (${text.length} characters, cut)`;
  try {
    return redactValue(JSON.parse(text));
  } catch {
    return redactText(text);
  }
}

/** Request headers worth showing, credentials replaced. */
export function redactHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    shown[name] = isSecretName(name) ? REDACTED : redactText(text);
  }
  return shown;
}
