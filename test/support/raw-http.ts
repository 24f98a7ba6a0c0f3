import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { ApiResponse } from './http.js';

export interface RawResponse extends ApiResponse {
  /** The server closed the connection after its answer. */
  readonly closed: boolean;
}

/** How long to wait for the server to close the connection before reporting that it did not. */
const CLOSE_WAIT_MS = 3000;

function parse(received: Buffer, closed: boolean): RawResponse {
  const text = received.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, end < 0 ? text.length : end).split('\r\n');
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const body = end < 0 ? '' : text.slice(end + 4);
  let parsed: unknown;
  try { parsed = body ? JSON.parse(body) : undefined; } catch { parsed = undefined; }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: parsed, text: body, closed };
}

/**
 * Writes `bytes` to the server exactly as given, for requests fetch and curl refuse to send (bad
 * percent-encoding, unknown methods, oversized request lines), and reads the one answer. Over TLS
 * when `baseUrl` is https (trusting `caFile`).
 */
export function rawRequest(baseUrl: string, bytes: string | Buffer, options: { caFile?: string | null } = {}): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const port = Number(url.port);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = url.protocol === 'https:'
      ? tls.connect({ host: url.hostname, port, ca: options.caFile ? readFileSync(options.caFile) : undefined }, () => socket.write(bytes))
      : net.connect(port, url.hostname, () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(parse(Buffer.concat(chunks), false));
    }, CLOSE_WAIT_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parse(Buffer.concat(chunks), true));
    });
    // A server that refuses a request may reset the rest of what was still being sent.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
  });
}
