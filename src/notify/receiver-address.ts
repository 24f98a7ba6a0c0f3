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

/** Why a webhook may not be sent to `address` (an IP address), or null when it may. IPv4-mapped IPv6 counts as its IPv4 address. */
export function refusedAddress(address: string): string | null {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (LINK_LOCAL.check(address, family)) return `${address} is a link-local address, where cloud metadata services answer`;
  if (UNSPECIFIED.check(address, family)) return `${address} is an unspecified address`;
  return null;
}

/** The IP address a URL's host is written as (`[::1]` without its brackets), or null for a host name. */
export function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : null;
}

export class RefusedAddressError extends Error {
  readonly code = 'EADDRREFUSED';
  constructor(reason: string) {
    super(`Refused to connect: ${reason}; webhook receivers may not be link-local or unspecified addresses.`);
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
      const refused = addresses.map((a) => refusedAddress(a.address)).find((r) => r !== null);
      if (refused) return callback(new RefusedAddressError(`${hostname} resolves to ${refused}`), '');
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      return callback(null, first.address, first.family);
    });
  };
}
