import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SignInSettings } from '../auth/sign-in-settings.js';

/**
 * The inbox is hand-written HTML, CSS and JavaScript modules that need no build, so the server
 * reads them from the source tree whether it runs from src (tsx) or from dist (`npm start`):
 * this module sits two levels below the project root in both.
 */
export const WEB_ROOT = fileURLToPath(new URL('../../src/web/public/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Everything comes from this origin; no inline script or style, no framing, no plugins. The only
 * other origin the page may call is the identity provider's token endpoint, when there is one.
 */
export function contentSecurityPolicy(connectOrigins: readonly string[] = []): string {
  return [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", ["connect-src 'self'", ...connectOrigins].join(' '),
    "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join('; ');
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

/**
 * Asset names carry no content hash, so browsers must revalidate each time (`no-cache`); the
 * ETag turns that into a 304 with no body on every load after the first.
 */
function send(asset: Asset, request: FastifyRequest, reply: FastifyReply, policy: string) {
  reply.header('content-type', asset.type)
    .header('cache-control', 'no-cache')
    .header('etag', asset.etag)
    .header('content-security-policy', policy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.send(asset.body);
}

/**
 * Serves the approver inbox: the page at `/`, its files under `/web/`, and how to sign in at
 * `/web/config.json` (public: it names only public endpoints and a public client). Files are
 * read once, at start.
 */
export async function webPlugin(app: FastifyInstance, options: { readonly root?: string; readonly signIn?: SignInSettings } = {}): Promise<void> {
  const assets = loadAssets(options.root ?? WEB_ROOT);
  const index = assets.get('index.html');
  if (!index) throw new Error(`The web inbox has no index.html under ${options.root ?? WEB_ROOT}`);
  const signIn = options.signIn ?? { mode: 'dev' };
  const tokenEndpoint = signIn.mode === 'oidc' && signIn.authorizationEndpoint ? signIn.tokenEndpoint : null;
  const policy = contentSecurityPolicy(tokenEndpoint ? [new URL(tokenEndpoint).origin] : []);
  app.get('/', async (request, reply) => send(index, request, reply, policy));
  app.get('/web/config.json', async (_request, reply) => reply.header('cache-control', 'no-store').send(signIn));
  for (const [name, asset] of assets) {
    if (name !== 'index.html') app.get(`/web/${name}`, async (request, reply) => send(asset, request, reply, policy));
  }
}
