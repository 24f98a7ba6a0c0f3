import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  readonly path: string;
  readonly webhookId: string;
  readonly timestamp: string;
  readonly body: any;
  /** Whether the Standard Webhooks reference implementation accepted the signature. */
  readonly verified: boolean;
}

/** What the receiver answers at a path: a status code, or 'hang' to never answer. */
export type Behaviour = number | 'hang';

export interface WebhookReceiver {
  readonly url: string;
  readonly received: Received[];
  at(path: string): Received[];
  /** Answers at `path` per call in turn; the last behaviour repeats. Default 200. */
  behave(path: string, ...behaviours: Behaviour[]): void;
  /** The signing secret to verify deliveries at `path` with. */
  secretFor(path: string, secret: string): void;
  close(): Promise<void>;
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return typeof v === 'string' ? v : '';
}

/** A loopback HTTP receiver that checks each delivery with the `standardwebhooks` package. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const behaviours = new Map<string, Behaviour[]>();
  const secrets = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const raw = Buffer.concat(chunks).toString('utf8');
      const secret = secrets.get(path);
      let verified = false;
      if (secret) {
        try {
          new Webhook(secret).verify(raw, { 'webhook-id': header(req.headers, 'webhook-id'), 'webhook-timestamp': header(req.headers, 'webhook-timestamp'), 'webhook-signature': header(req.headers, 'webhook-signature') });
          verified = true;
        } catch { /* recorded as unverified */ }
      }
      let body: unknown = null;
      try { body = JSON.parse(raw); } catch { body = raw; }
      received.push({ path, webhookId: header(req.headers, 'webhook-id'), timestamp: header(req.headers, 'webhook-timestamp'), body, verified });
      const queue = behaviours.get(path) ?? [];
      const next = queue.length > 1 ? queue.shift()! : queue[0] ?? 200;
      if (next === 'hang') return;
      res.writeHead(next, { 'content-type': 'text/plain' }).end(next < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    at: (path) => received.filter((r) => r.path === path),
    behave: (path, ...list) => { behaviours.set(path, list); },
    secretFor: (path, secret) => { secrets.set(path, secret); },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
