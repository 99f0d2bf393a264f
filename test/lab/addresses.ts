/**
 * Which addresses a lab host may carry. Lab namespaces are never routed anywhere, but a mistyped address
 * must still never look like a real network of this machine: only the benchmarking range, the
 * documentation ranges and loopback are allowed. Pure functions.
 */

/** IPv4 ranges a lab link or route may use, as [network, prefix length]. */
export const ALLOWED_IPV4_RANGES: readonly (readonly [string, number])[] = [
  ['198.18.0.0', 15], // RFC 2544 benchmarking
  ['192.0.2.0', 24], // TEST-NET-1
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['127.0.0.0', 8], // loopback
];

/** Parse dotted-quad IPv4 into a 32-bit unsigned number, or null when it is not one. */
export function ipv4ToNumber(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

function inIpv4Range(address: number, [network, length]: readonly [string, number]): boolean {
  const base = ipv4ToNumber(network) ?? 0;
  const size = 2 ** (32 - length);
  return address >= base && address < base + size;
}

/** True for an IPv6 address in 2001:db8::/32 (documentation) or ::1. */
function isAllowedIpv6(address: string): boolean {
  const lower = address.toLowerCase();
  return lower === '::1' || /^2001:0?db8:/.test(lower) || lower === '2001:db8::';
}

/** True when a bare address (no prefix) is one a lab host may use. */
export function isAllowedLabAddress(address: string): boolean {
  if (address.includes(':')) return isAllowedIpv6(address);
  const value = ipv4ToNumber(address);
  return value !== null && ALLOWED_IPV4_RANGES.some((range) => inIpv4Range(value, range));
}

/** An address with its prefix length, as `ip addr add` takes it. */
export interface Cidr {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
}

/**
 * Parse `ADDRESS/PREFIX` and check it is allowed in a lab; throws with a message naming `where`.
 * @example parseLabCidr('198.18.1.1/24', 'link br0') // { family: 'ipv4', address: '198.18.1.1', prefix: 24 }
 */
export function parseLabCidr(text: string, where: string): Cidr {
  const match = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(text);
  if (!match) throw new Error(`${where}: ${JSON.stringify(text)} is not ADDRESS/PREFIX`);
  const address = match[1]!;
  const prefix = Number(match[2]);
  const family = address.includes(':') ? 'ipv6' : 'ipv4';
  if (prefix > (family === 'ipv4' ? 32 : 128)) throw new Error(`${where}: prefix of ${text} is too long`);
  if (family === 'ipv4' && ipv4ToNumber(address) === null) throw new Error(`${where}: ${text} is not IPv4`);
  if (!isAllowedLabAddress(address)) {
    throw new Error(
      `${where}: ${text} is outside the lab ranges (198.18.0.0/15, the TEST-NETs, 2001:db8::/32, loopback)`,
    );
  }
  return { family, address, prefix };
}
