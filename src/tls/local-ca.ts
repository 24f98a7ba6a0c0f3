import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type forgeType from 'node-forge';

type Forge = typeof forgeType;

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** The CA a client must trust (NODE_EXTRA_CA_CERTS), or null for an operator's own certificate. */
  readonly caFile: string | null;
}

const DAY = 24 * 60 * 60 * 1000;

function rsaKeys(forge: Forge): forgeType.pki.KeyPair {
  // Node's native generator is far faster than forge's pure-JS one.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgePrivate = forge.pki.privateKeyFromPem(pem);
  return { privateKey: forgePrivate, publicKey: forge.pki.setRsaPublicKey(forgePrivate.n, forgePrivate.e) };
}

function serial(): string {
  // Positive, 16 bytes, as CAs issue them.
  return `01${randomBytes(15).toString('hex')}`;
}

function createCa(forge: Forge): { cert: forgeType.pki.Certificate; keys: forgeType.pki.KeyPair } {
  const keys = rsaKeys(forge);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * DAY);
  const subject = [{ name: 'commonName', value: 'Signoff Local Development CA' }, { name: 'organizationName', value: 'Signoff' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey as forgeType.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { cert, keys };
}

function createServerCert(forge: Forge, ca: { cert: forgeType.pki.Certificate; keys: forgeType.pki.KeyPair }): { cert: forgeType.pki.Certificate; keys: forgeType.pki.KeyPair } {
  const keys = rsaKeys(forge);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - DAY);
  // Under 398 days, the longest browsers accept for a server certificate.
  cert.validity.notAfter = new Date(Date.now() + 390 * DAY);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.keys.privateKey as forgeType.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { cert, keys };
}

function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The server certificate on disk is usable: signed by this CA and not within 30 days of expiry. */
function isFresh(certFile: string, caFile: string): boolean {
  if (!existsSync(certFile)) return false;
  const cert = new X509Certificate(readFileSync(certFile));
  const ca = new X509Certificate(readFileSync(caFile));
  return !cert.ca && Date.parse(cert.validTo) - Date.now() > 30 * DAY && cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/**
 * A local CA created once under `<dataDir>/tls/`, and a certificate for localhost, 127.0.0.1 and
 * ::1 that it signs (renewed when it nears expiry). Clients trust the CA with NODE_EXTRA_CA_CERTS.
 * The X.509 library loads only when something must be issued, which keeps restarts fast.
 */
export async function ensureLocalTls(dataDir: string): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true });
  const caFile = join(dir, 'ca.pem');
  const caKeyFile = join(dir, 'ca-key.pem');
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server-key.pem');
  const haveCa = existsSync(caFile) && existsSync(caKeyFile);

  if (!haveCa || !existsSync(keyFile) || !isFresh(certFile, caFile)) {
    const forge: Forge = (await import('node-forge')).default;
    let ca: { cert: forgeType.pki.Certificate; keys: forgeType.pki.KeyPair };
    if (haveCa) {
      const cert = forge.pki.certificateFromPem(readFileSync(caFile, 'utf8'));
      const privateKey = forge.pki.privateKeyFromPem(readFileSync(caKeyFile, 'utf8')) as forgeType.pki.rsa.PrivateKey;
      ca = { cert, keys: { privateKey, publicKey: cert.publicKey as forgeType.pki.rsa.PublicKey } };
    } else {
      ca = createCa(forge);
      writeSecret(caKeyFile, forge.pki.privateKeyToPem(ca.keys.privateKey));
      writeFileSync(caFile, forge.pki.certificateToPem(ca.cert));
    }
    const server = createServerCert(forge, ca);
    writeSecret(keyFile, forge.pki.privateKeyToPem(server.keys.privateKey));
    writeFileSync(certFile, forge.pki.certificateToPem(server.cert) + forge.pki.certificateToPem(ca.cert));
  }
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), caFile };
}

export function operatorTls(certFile: string, keyFile: string): TlsMaterial {
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), caFile: null };
}
