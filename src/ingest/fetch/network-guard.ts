// Keeps a public source from reaching the machine's own network: loopback, private, link-local, CGNAT and
// cloud metadata addresses are refused. The check runs on the address DNS returned, inside the socket's
// `lookup`, so a name that rebinds to 127.0.0.1 or a redirect into private space cannot slip past it.
// Link-local and metadata addresses are refused for every source, even one allowed private networks
// (`isLinkLocalOrMetadata`): a feed on the LAN has no business with the cloud's credential endpoint.
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/** Decides whether `address` (what `hostname` resolved to) must not be connected to. */
export type AddressPolicy = (address: string, hostname: string) => boolean;

/** Error raised through the lookup callback; its message is what the user sees. */
export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
  readonly code = 'ERR_PRIVATE_ADDRESS';
  constructor(
    readonly hostname: string,
    readonly address: string,
    kind = 'private address',
  ) {
    super(`refused: ${hostname} resolves to ${kind} ${address}`);
  }
}

// IPv4 ranges as [first octets as a 32-bit number, prefix length].
const PRIVATE_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

function v4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

const PRIVATE_V4_RANGES = PRIVATE_V4.map(([base, bits]) => {
  const size = 2 ** (32 - bits);
  const start = v4ToInt(base);
  return [start, start + size] as const;
});

function isPrivateV4(address: string): boolean {
  const n = v4ToInt(address);
  return PRIVATE_V4_RANGES.some(([start, end]) => n >= start && n < end);
}

/** The eight 16-bit groups of an IPv6 address (with an embedded dotted IPv4 tail expanded). */
function v6Groups(address: string): number[] | null {
  let text = address.toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const n = v4ToInt(tail[1]!);
    text = text.slice(0, tail.index) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? left.length !== 8 : missing < 0) return null;
  const groups = [...left, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

function embeddedV4(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The IPv4 address an IPv6 address carries (mapped, translated, compatible, NAT64), if any. */
function embeddedV4Of(g: number[]): string | null {
  const [a, b, c, d, e, f, h7, h8] = g as [number, number, number, number, number, number, number, number];
  const zeroPrefix = a === 0 && b === 0 && c === 0 && d === 0;
  if (zeroPrefix && e === 0 && (f === 0xffff || f === 0)) return embeddedV4(h7, h8); // ::ffff:a.b.c.d, ::a.b.c.d
  if (zeroPrefix && e === 0xffff && f === 0) return embeddedV4(h7, h8); // ::ffff:0:a.b.c.d (SIIT, RFC 2765)
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return embeddedV4(h7, h8); // NAT64
  if (a === 0x2002) return embeddedV4(b, c); // 6to4
  return null;
}

function isPrivateV6(address: string): boolean {
  const g = v6Groups(address);
  if (!g) return true; // unparseable: refuse rather than guess
  const [a, b, c, d, e, f, h7, h8] = g as [number, number, number, number, number, number, number, number];
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0 && h7 === 0 && (h8 === 0 || h8 === 1)) return true; // :: and ::1
  const v4 = embeddedV4Of(g);
  if (v4 !== null) return isPrivateV4(v4);
  if (a === 0x64 && b === 0xff9b && c === 1) return true; // 64:ff9b:1::/48 local-use NAT64 (RFC 8215)
  if (a === 0x2001 && b === 0) return true; // 2001::/32 Teredo: tunnels to an address it hides
  if (a === 0x100 && b === 0 && c === 0 && d === 0) return true; // 100::/64 discard
  if ((a & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local (fd00::/8 included; fd00:ec2::254 metadata)
  if ((a & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((a & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((a & 0xff00) === 0xff00) return true; // multicast
  return false;
}

// Cloud metadata services outside 169.254/16: Alibaba's, and AWS's IPv6 one.
const METADATA_V4 = new Set(['100.100.100.200']);
const isLinkLocalOrMetadataV4 = (address: string): boolean => address.startsWith('169.254.') || METADATA_V4.has(address);

/** True for link-local and cloud metadata addresses, however written: refused for every source. */
export function isLinkLocalOrMetadata(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return isLinkLocalOrMetadataV4(bare);
  if (family !== 6) return false;
  const g = v6Groups(bare);
  if (!g) return true;
  const v4 = embeddedV4Of(g);
  if (v4 !== null) return isLinkLocalOrMetadataV4(v4);
  if ((g[0]! & 0xffc0) === 0xfe80) return true; // fe80::/10
  return g.join(':') === [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254].join(':'); // fd00:ec2::254
}

/** True for loopback, private, link-local, CGNAT, metadata, multicast and reserved addresses (v4 and v6). */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) return isPrivateV4(bare);
  if (family === 6) return isPrivateV6(bare);
  return false;
}

/** True when a URL (or bare host name) points at this machine or a private network by its very name. */
export function isPrivateHost(urlOrHost: string): boolean {
  let host = urlOrHost;
  try {
    host = new URL(urlOrHost).hostname;
  } catch {
    // a bare host name
  }
  host = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && isPrivateAddress(host);
}

/** The refusal for an IP-literal host (Node connects to those without calling `lookup`). */
export function checkLiteralHost(hostname: string, policy: AddressPolicy = isPrivateAddress, kind?: string): PrivateAddressError | null {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 0) return null;
  return policy(bare, hostname) ? new PrivateAddressError(hostname, bare, kind) : null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * Wraps a lookup (default `dns.lookup`) so every address it returns is checked; when any of them is private
 * the connection fails with PrivateAddressError. Handles both the single-address and the `all: true` form
 * (Node 20's happy-eyeballs connect asks for all).
 */
export function guardedLookup(inner: LookupFunction = dns.lookup as unknown as LookupFunction, policy: AddressPolicy = isPrivateAddress, kind?: string): LookupFunction {
  const guarded = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    (inner as unknown as (h: string, o: dns.LookupOptions, cb: LookupCallback) => void)(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const blocked = list.find((a) => policy(a, hostname));
      if (blocked !== undefined) return callback(new PrivateAddressError(hostname, blocked, kind) as NodeJS.ErrnoException, Array.isArray(address) ? [] : '', family);
      callback(null, address, family);
    });
  };
  return guarded as unknown as LookupFunction;
}
