import { isPublicAddress, mayConnect, urlHost } from './address-policy';

// RFC 8620 section 8.6: "The server MUST ensure the URL is externally resolvable to avoid server-side
// request forgery". Nothing here opens a socket: the policy is a pure function of the address.
describe('isPublicAddress', () => {
  it.each([
    ['1.1.1.1', 'public IPv4'],
    ['8.8.8.8', 'public IPv4'],
    ['142.250.185.106', 'public IPv4'],
    ['2606:4700:4700::1111', 'global unicast IPv6'],
    ['2a00:1450:4001:82a::200a', 'global unicast IPv6'],
    ['::ffff:1.1.1.1', 'IPv4-mapped public IPv4'],
    ['::ffff:101:101', 'IPv4-mapped public IPv4, hex form'],
    ['64:ff9b::101:101', 'NAT64 well-known prefix (RFC 6052) of a public IPv4'],
  ])('allows %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    // IPv4
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback /8'],
    ['10.0.0.1', 'private (RFC 1918)'],
    ['172.16.0.1', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT (RFC 6598)'],
    ['100.127.255.255', 'carrier-grade NAT (RFC 6598)'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', '0/8 ("this network")'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'documentation (TEST-NET-1)'],
    ['198.51.100.7', 'documentation (TEST-NET-2)'],
    ['203.0.113.9', 'documentation (TEST-NET-3)'],
    ['198.18.0.1', 'benchmarking'],
    ['240.0.0.1', 'reserved 240/4'],
    // IPv6
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with a zone'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'deprecated site-local'],
    ['2001:db8::1', 'documentation'],
    ['100::1', 'discard (RFC 6666)'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['::ffff:0:10.0.0.1', 'IPv4-translated (RFC 6145) private'],
    ['::10.0.0.1', 'IPv4-compatible private'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::1.1.1.1', 'IPv4-compatible (deprecated, RFC 4291 section 2.5.5.1), even of a public IPv4'],
    ['64:ff9b::10.0.0.1', 'NAT64 well-known prefix of a private IPv4'],
    ['64:ff9b::127.0.0.1', 'NAT64 well-known prefix of loopback'],
    ['64:ff9b:1::a00:1', 'NAT64 local-use prefix (RFC 8215)'],
    ['2002:a00:1::1', '6to4 (of 10.0.0.1)'],
    ['2002:101:101::1', '6to4 (of a public IPv4): deprecated, refused whole'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['3fff::1', 'documentation (RFC 9637)'],
    ['5f00::1', 'segment routing'],
    ['4000::1', 'outside 2000::/3, unassigned'],
    // Not addresses in canonical form
    ['127.1', 'shortened IPv4'],
    ['0x7f.0.0.1', 'hex IPv4'],
    ['0177.0.0.1', 'octal IPv4'],
    ['2130706433', 'IPv4 as one integer'],
    ['localhost', 'a name'],
    ['', 'empty'],
    ['[::1]', 'bracketed IPv6'],
  ])('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('urlHost', () => {
  it.each([
    ['https://Push.Example.COM/x', 'push.example.com'],
    ['https://push.example.com:8443/x', 'push.example.com'],
    ['https://[::1]:8443/x', '::1'],
    ['https://[0:0:0:0:0:0:0:1]/x', '::1'],
    ['https://127.1/x', '127.0.0.1'],
    ['https://0x7f000001/x', '127.0.0.1'],
    ['https://example.com./x', 'example.com.'],
  ])('%s has the host %s', (url, host) => {
    expect(urlHost(new URL(url))).toBe(host);
  });
});

describe('mayConnect (allowHosts)', () => {
  const allowHosts = new Set(['127.0.0.1', 'relay.internal', '::1']);

  it('lets a listed host reach any address, internal ones included', () => {
    expect(mayConnect('relay.internal', '10.0.0.1', allowHosts)).toBe(true);
    expect(mayConnect('relay.internal', '127.0.0.1', allowHosts)).toBe(true);
    expect(mayConnect('127.0.0.1', '127.0.0.1', allowHosts)).toBe(true);
    expect(mayConnect('::1', '::1', allowHosts)).toBe(true);
  });

  it('refuses internal addresses to a host that is not listed, even when the address itself is listed', () => {
    expect(mayConnect('evil.example', '127.0.0.1', allowHosts)).toBe(false);
    expect(mayConnect('evil.example', '::1', allowHosts)).toBe(false);
    expect(mayConnect('evil.example', '10.0.0.1', allowHosts)).toBe(false);
    expect(mayConnect('127.0.0.2', '127.0.0.2', allowHosts)).toBe(false);
  });

  it('lets a host that is not listed reach public addresses', () => {
    expect(mayConnect('push.example', '1.1.1.1', allowHosts)).toBe(true);
  });

  it('matches the host exactly: no suffix, no subdomain', () => {
    expect(mayConnect('x.relay.internal', '10.0.0.1', allowHosts)).toBe(false);
    expect(mayConnect('relay.internal.', '10.0.0.1', allowHosts)).toBe(false);
  });

  it('refuses what is not an IP address even for a listed host', () => {
    expect(mayConnect('relay.internal', 'not-an-ip', allowHosts)).toBe(false);
  });
});
