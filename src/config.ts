import { resolve } from 'node:path';

export interface Config {
  readonly host: string;
  readonly port: number;
  /** null turns HTTPS off. */
  readonly httpsPort: number | null;
  readonly dataDir: string;
  /** postgres://... selects PostgreSQL; otherwise the embedded SQLite file under dataDir. */
  readonly databaseUrl: string | null;
  readonly demo: boolean;
  readonly tenantFile: string | null;
  /** The issuer URL dev tokens carry; instances sharing one store must agree on it. */
  readonly publicUrl: string;
  readonly tlsCertFile: string | null;
  readonly tlsKeyFile: string | null;
  readonly oidcIssuer: string | null;
  readonly oidcAudience: string | null;
  /** Token claims tried in order to find the caller in the directory (SIGNOFF_OIDC_SUBJECT_CLAIMS). */
  readonly oidcSubjectClaims: readonly string[];
  /** Least time between two JWKS refetches caused by an unknown key id. */
  readonly oidcJwksCooldownMs: number;
  /** The public client (no secret) the web inbox and `signoff login` sign people in as; null turns both off. */
  readonly oidcClientId: string | null;
  /** What sign-in asks the issuer for; the API's own scope must be among them for the token to reach Signoff. */
  readonly oidcScopes: string;
  /** Requests per minute per caller (per address before authentication); 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** When set, /metrics answers only `Authorization: Bearer <this>` (Prometheus' bearer_token). */
  readonly metricsToken: string | null;
  readonly logLevel: string;
  readonly timerIntervalMs: number;
  /** How often the outbox worker fans out events and sends due webhook deliveries. */
  readonly outboxIntervalMs: number;
  /** How long one webhook attempt may take. */
  readonly webhookTimeoutMs: number;
  readonly bodyLimitBytes: number;
  /** PostgreSQL connections per instance; instances × pool size must stay under max_connections. */
  readonly dbPoolSize: number;
  /** PostgreSQL cancels a statement that runs longer, so a stuck query cannot hold a connection. */
  readonly dbStatementTimeoutMs: number;
  /** Named prepared statements on PostgreSQL; off behind a pooler that cannot keep them (PgBouncer in transaction mode). */
  readonly dbPreparedStatements: boolean;
  /**
   * Which proxies' X-Forwarded-For / -Proto / -Host to believe: false (none), true (any), a number
   * of hops, or their addresses and CIDR ranges. Links in answers and audited client addresses follow them.
   */
  readonly trustProxy: boolean | number | readonly string[];
}

function trustProxyFrom(value: string | undefined): boolean | number | readonly string[] {
  if (value === undefined || value.trim() === '' || /^(off|false|0)$/i.test(value.trim())) return false;
  if (/^(on|true)$/i.test(value.trim())) return true;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const addresses = value.split(',').map((a) => a.trim()).filter(Boolean);
  const bad = addresses.find((a) => !/^[\da-f.:]+(?:\/\d{1,3})?$/i.test(a));
  if (bad) throw new Error(`SIGNOFF_TRUST_PROXY must be on, off, a hop count or addresses and CIDR ranges, not '${bad}'.`);
  return addresses;
}

function onOff(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(on|true|1)$/i.test(value)) return true;
  if (/^(off|false|0)$/i.test(value)) return false;
  throw new Error(`${name} must be on or off, not '${value}'.`);
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0-65535), not '${value}'.`);
  return n;
}

function positiveIntFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not '${value}'.`);
  return n;
}

function nonNegativeIntFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, 0 or more, not '${value}'.`);
  return n;
}

export interface ConfigOverrides {
  port?: number;
  httpsPort?: number | null;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  demo?: boolean;
  tenantFile?: string;
  cert?: string;
  key?: string;
}

/** Settings from the environment, overridden by command-line flags. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: ConfigOverrides = {}): Config {
  const port = flags.port ?? intFrom(env.PORT, 8080, 'PORT');
  const httpsPort = flags.httpsPort !== undefined ? flags.httpsPort : env.HTTPS_PORT === 'off' ? null : intFrom(env.HTTPS_PORT, 8443, 'HTTPS_PORT');
  const host = flags.host ?? env.HOST ?? '127.0.0.1';
  const dataDir = resolve(flags.dataDir ?? env.SIGNOFF_DATA_DIR ?? '.signoff');
  return {
    host,
    port,
    httpsPort,
    dataDir,
    databaseUrl: flags.databaseUrl ?? env.SIGNOFF_DATABASE_URL ?? null,
    demo: flags.demo ?? env.SIGNOFF_DEMO !== 'false',
    tenantFile: flags.tenantFile ?? env.SIGNOFF_TENANT ?? null,
    publicUrl: (env.SIGNOFF_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/$/, ''),
    tlsCertFile: flags.cert ?? env.SIGNOFF_TLS_CERT ?? null,
    tlsKeyFile: flags.key ?? env.SIGNOFF_TLS_KEY ?? null,
    oidcIssuer: env.SIGNOFF_OIDC_ISSUER ?? null,
    oidcAudience: env.SIGNOFF_OIDC_AUDIENCE ?? null,
    oidcSubjectClaims: (env.SIGNOFF_OIDC_SUBJECT_CLAIMS || 'oid,sub,preferred_username,upn').split(',').map((c) => c.trim()).filter(Boolean),
    oidcJwksCooldownMs: nonNegativeIntFrom(env.SIGNOFF_OIDC_JWKS_COOLDOWN_MS, 30_000, 'SIGNOFF_OIDC_JWKS_COOLDOWN_MS'),
    oidcClientId: env.SIGNOFF_OIDC_CLIENT_ID || null,
    oidcScopes: (env.SIGNOFF_OIDC_SCOPES || 'openid profile').split(/\s+/).filter(Boolean).join(' '),
    rateLimitPerMinute: nonNegativeIntFrom(env.SIGNOFF_RATE_LIMIT_PER_MINUTE, 6000, 'SIGNOFF_RATE_LIMIT_PER_MINUTE'),
    metricsToken: env.SIGNOFF_METRICS_TOKEN || null,
    logLevel: env.LOG_LEVEL ?? 'info',
    timerIntervalMs: Number(env.SIGNOFF_TIMER_INTERVAL_MS ?? 1000),
    outboxIntervalMs: positiveIntFrom(env.SIGNOFF_OUTBOX_INTERVAL_MS ?? env.SIGNOFF_TIMER_INTERVAL_MS, 1000, 'SIGNOFF_OUTBOX_INTERVAL_MS'),
    webhookTimeoutMs: positiveIntFrom(env.SIGNOFF_WEBHOOK_TIMEOUT_MS, 10_000, 'SIGNOFF_WEBHOOK_TIMEOUT_MS'),
    bodyLimitBytes: 1024 * 1024,
    dbPoolSize: positiveIntFrom(env.SIGNOFF_DB_POOL_SIZE, 10, 'SIGNOFF_DB_POOL_SIZE'),
    dbStatementTimeoutMs: positiveIntFrom(env.SIGNOFF_DB_STATEMENT_TIMEOUT_MS, 15_000, 'SIGNOFF_DB_STATEMENT_TIMEOUT_MS'),
    dbPreparedStatements: onOff(env.SIGNOFF_DB_PREPARED_STATEMENTS, true, 'SIGNOFF_DB_PREPARED_STATEMENTS'),
    trustProxy: trustProxyFrom(env.SIGNOFF_TRUST_PROXY),
  };
}
