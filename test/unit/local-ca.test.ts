import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureLocalTls } from '../../src/tls/local-ca.js';

describe('the local CA', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signoff-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues a localhost certificate for localhost, 127.0.0.1 and ::1, signed by a CA it creates once', async () => {
    const tls = await ensureLocalTls(dir);
    const ca = new X509Certificate(readFileSync(tls.caFile!));
    const cert = new X509Certificate(tls.cert);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toMatch(/IP Address:(0:0:0:0:0:0:0:1|::1)/);
    expect(Date.parse(cert.validTo) - Date.now()).toBeLessThan(398 * 86_400_000);
    expect(statSync(join(dir, 'tls', 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'tls', 'server-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('reuses the CA and a fresh certificate on restart, and reissues a damaged certificate from the same CA', async () => {
    const first = await ensureLocalTls(dir);
    const again = await ensureLocalTls(dir);
    expect(again.cert).toBe(first.cert);
    const caBefore = readFileSync(first.caFile!, 'utf8');
    const foreign = new X509Certificate(readFileSync(first.caFile!));
    // A certificate not issued by our CA (here: the CA itself) is replaced by a new server certificate.
    writeFileSync(join(dir, 'tls', 'server.pem'), foreign.toString());
    const renewed = await ensureLocalTls(dir);
    expect(renewed.cert).not.toBe(first.cert);
    expect(readFileSync(first.caFile!, 'utf8')).toBe(caBefore);
    expect(new X509Certificate(renewed.cert).checkIssued(foreign)).toBe(true);
  });
});
