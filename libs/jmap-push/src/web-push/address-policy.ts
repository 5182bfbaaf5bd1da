import { isIP } from 'node:net';
import * as ipaddr from 'ipaddr.js';

// RFC 6052 section 2.1: the NAT64 well-known prefix 64:ff9b::/96 carries an IPv4 address in its last 32
// bits, and section 3.1 forbids it for non-global IPv4 addresses; DNS64 networks hand it out for every
// IPv4-only host, so it is judged by the IPv4 address it stands for rather than refused outright.
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
// RFC 4291 section 2.4: everything IANA hands out as global unicast lies in 2000::/3. This also refuses
// the deprecated IPv4-compatible form ::a.b.c.d (RFC 4291 section 2.5.5.1), which no push service uses.
const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Whether a push may be sent to `address` whatever host it came from: a global unicast address.
 * Everything `ipaddr.js` names a special range is refused: loopback, private (RFC 1918), link-local,
 * multicast, unique-local, unspecified and 0/8, broadcast, carrier-grade NAT (100.64/10), reserved and
 * documentation ranges, benchmarking, 6to4 and Teredo (their embedded IPv4 addresses could be anything,
 * and both are deprecated), and IPv6 outside 2000::/3. IPv4-mapped, IPv4-translated, IPv4-compatible
 * and NAT64 well-known-prefix IPv6 addresses are judged as the IPv4 address they carry, so
 * `::ffff:127.0.0.1` is loopback; the deprecated IPv4-compatible `::a.b.c.d` is refused. Anything that is not an IP address in canonical form is refused.
 */
export function isPublicAddress(address: string): boolean {
  // net.isIP accepts only dotted-quad IPv4 (no "127.1", no octal or hex parts), as sockets use it.
  const family = isIP(address);
  if (family === 4) return ipaddr.IPv4.parse(address).range() === 'unicast';
  if (family !== 6) return false;
  const v6 = canonicalIPv6(address);
  if (v6 === undefined) return false;
  const embedded = embeddedIPv4(v6);
  if (embedded !== undefined) return embedded.range() === 'unicast';
  return v6.range() === 'unicast' && v6.match(GLOBAL_UNICAST);
}

/**
 * An IPv6 address parsed as the socket will read it. ipaddr.js reads `::1.1.1.1` as `::ffff:1.1.1.1`
 * where inet_pton reads `::101:101`, so the text goes through the WHATWG URL parser (inet_pton's reading)
 * first. A zone (`fe80::1%eth0`) is refused: only link-local addresses have one, and those are refused.
 */
function canonicalIPv6(address: string): ipaddr.IPv6 | undefined {
  if (address.includes('%')) return undefined;
  try {
    return ipaddr.IPv6.parse(new URL(`https://[${address}]/`).hostname.slice(1, -1));
  } catch {
    return undefined;
  }
}

/** The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one in its last 32 bits. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  if (range !== 'ipv4Mapped' && range !== 'rfc6145' && !address.match(NAT64_WELL_KNOWN)) return undefined;
  return new ipaddr.IPv4(address.toByteArray().slice(12));
}

/**
 * The host of a push URL as `allowHosts` names it: lower-cased, an IPv6 literal without its brackets.
 * The WHATWG URL parser has already lower-cased names, turned IDNs into punycode and IPv4 literals into
 * dotted quads; the host is compared exactly, so `example.com.` is not `example.com`.
 */
export function urlHost(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/**
 * Whether a connection for the URL host `host` may go to `address`: a host listed in `allowHosts` may
 * reach any address (an internal relay, a test), any other host only public ones. Being listed is a
 * property of the URL's host, never of the address: a name that resolves to a listed IP is not listed.
 */
export function mayConnect(host: string, address: string, allowHosts: ReadonlySet<string>): boolean {
  if (isIP(address) === 0) return false;
  return allowHosts.has(host) || isPublicAddress(address);
}
