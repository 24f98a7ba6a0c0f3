import { type LookupAddress, lookup as dnsLookup } from 'node:dns';
import { BlockList, type LookupFunction, isIP } from 'node:net';

/**
 * Where a webhook may not go. Link-local addresses are where cloud metadata services answer
 * (169.254.169.254, fe80::), so a subscription there would hand Signoff's credentials on the VM to
 * whoever may create one; unspecified addresses reach the host itself by a back door. Loopback and
 * private ranges stay open: developers run receivers on localhost, teams on their own network.
 */
const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');

const UNSPECIFIED = new BlockList();
UNSPECIFIED.addSubnet('0.0.0.0', 8, 'ipv4');
UNSPECIFIED.addAddress('::', 'ipv6');

/**
 * Metadata services some clouds serve outside link-local, inside ranges that otherwise stay open:
 * AWS's IMDS over IPv6 (a unique local address) and Alibaba Cloud's (in the shared CGNAT range).
 */
const METADATA = new BlockList();
METADATA.addAddress('fd00:ec2::254', 'ipv6');
METADATA.addAddress('100.100.100.200', 'ipv4');

/**
 * IPv6 prefixes whose last 32 bits are an IPv4 address the packet goes on to reach: NAT64's
 * well-known prefix (a DNS64 network translates it to that IPv4 address) and the deprecated
 * IPv4-compatible form. (IPv4-mapped `::ffff:a.b.c.d` BlockList already checks as IPv4.)
 */
const EMBEDDING_IPV4 = new BlockList();
EMBEDDING_IPV4.addSubnet('64:ff9b::', 96, 'ipv6');
EMBEDDING_IPV4.addSubnet('::', 96, 'ipv6');

/** The eight 16-bit groups of an IPv6 address, a trailing dotted IPv4 part included. */
function ipv6Groups(address: string): number[] {
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  const text = dotted ? `${dotted[1]}${dotted[2]!.split('.').map(Number).reduce((hex, n, i) => hex + (i === 2 ? ':' : '') + n.toString(16).padStart(2, '0'), '')}` : address;
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** The IPv4 address a NAT64 or IPv4-compatible IPv6 address reaches, or null. `::1` is loopback, not 0.0.0.1. */
function embeddedIpv4(address: string): string | null {
  if (isIP(address) !== 6 || !EMBEDDING_IPV4.check(address, 'ipv6')) return null;
  const groups = ipv6Groups(address);
  const [high = 0, low = 0] = groups.slice(6);
  if (groups[0] === 0 && high === 0 && low <= 1) return null;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** What makes `address` a refused receiver, said of it ("is a link-local address, …"), or null. */
function refusal(address: string): string | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (LINK_LOCAL.check(address, family)) return 'is a link-local address, where cloud metadata services answer';
  if (METADATA.check(address, family)) return 'is a cloud metadata service address';
  if (UNSPECIFIED.check(address, family)) return 'is an unspecified address';
  const ipv4 = embeddedIpv4(address);
  const reached = ipv4 === null ? null : refusal(ipv4);
  return reached === null ? null : `reaches ${ipv4}, which ${reached}`;
}

/**
 * Why a webhook may not be sent to `address` (an IP address), or null when it may. IPv4-mapped,
 * NAT64 and IPv4-compatible IPv6 addresses count as the IPv4 address they reach.
 */
export function refusedAddress(address: string): string | null {
  const why = refusal(address);
  return why === null ? null : `${address} ${why}`;
}

/** The IP address a URL's host is written as (`[::1]` without its brackets), or null for a host name. */
function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : null;
}

/**
 * Why a webhook may not go to `url` when its host is written as an IP address, or null (a host
 * name is checked where it is resolved, by `guardedLookup`).
 */
export function refusedUrlHost(url: URL): string | null {
  const literal = literalAddress(url);
  return literal === null ? null : refusedAddress(literal);
}

export class RefusedAddressError extends Error {
  readonly code = 'EADDRREFUSED';
  constructor(reason: string) {
    super(`Refused to connect: ${reason}; webhook receivers may not be link-local, cloud metadata or unspecified addresses.`);
    this.name = 'RefusedAddressError';
  }
}

/**
 * A DNS lookup for sockets that refuses a host name resolving to an address `refusedAddress`
 * names. The check sits in the connection's own lookup, so the address checked is the one
 * connected to: a name cannot resolve harmlessly for a check and then to the metadata service.
 */
export function guardedLookup(resolve: LookupFunction = dnsLookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, found) => {
      if (error) return callback(error, '');
      const addresses: LookupAddress[] = typeof found === 'string' ? [{ address: found, family: isIP(found) }] : found;
      const refused = addresses.map((a) => ({ address: a.address, why: refusal(a.address) })).find((r) => r.why !== null);
      if (refused) return callback(new RefusedAddressError(`${hostname} resolves to ${refused.address}, which ${refused.why}`), '');
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      return callback(null, first.address, first.family);
    });
  };
}
