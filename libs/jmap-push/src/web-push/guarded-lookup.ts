import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { withTimeout } from '../util/with-timeout';
import { PushAddressRefusedError } from './push-address-refused.error';
import type { PushHostResolver, ResolvedAddress } from './web-push-options.interface';

/** Whether a connection for the URL host `host` may go to `address` (see `mayConnect`). */
export type ConnectPermit = (host: string, address: string) => boolean;

/** The default `PushHostResolver`: the system's resolver, every address (`dns.lookup` with `all: true`). */
export const systemResolver: PushHostResolver = async (hostname) => {
  const addresses = await dnsLookup(hostname, { all: true });
  return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/**
 * The `lookup` of a push connection's socket (the signature of `net.connect`'s): it asks `resolver`
 * once, refuses the connection with a `PushAddressRefusedError` unless `permits` every address, and hands
 * the socket exactly those addresses. The check and the connect share one resolution, so a name that
 * answers a public address to a check and an internal one to the connect (DNS rebinding) cannot slip
 * between the two. A resolver that takes longer than `timeoutMs` fails the connection with `ETIMEOUT`.
 */
export function guardedLookup(resolver: PushHostResolver, permits: ConnectPermit, timeoutMs: number): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    checkedAddresses(hostname, resolver, permits, timeoutMs).then(
      (addresses) => {
        // Node asks for one family only when the socket was given one; push connections are not.
        const family = familyNumber(options.family);
        const offered = family === 0 ? addresses : addresses.filter((address) => address.family === family);
        if (offered.length === 0) {
          callback(
            Object.assign(new Error('the push host has no address of the family asked'), { code: 'ENOTFOUND' }),
            '',
          );
        } else if (options.all === true) {
          callback(null, offered);
        } else {
          const [first] = offered as [LookupAddress, ...LookupAddress[]];
          callback(null, first.address, first.family);
        }
      },
      (error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)), '');
      },
    );
  };
}

/**
 * undici's connector for push connections: `buildConnector(options)` with `guardedLookup`, and an IP
 * literal host checked as it is, without resolving. Node's `net.connect` never calls `lookup` for an IP
 * host, so without this check `https://10.0.0.1/` would connect unchecked.
 */
export function guardedConnector(
  options: buildConnector.BuildOptions,
  resolver: PushHostResolver,
  permits: ConnectPermit,
  lookupTimeoutMs: number,
): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: guardedLookup(resolver, permits, lookupTimeoutMs) });
  return (target, callback) => {
    if (isIP(target.hostname) !== 0 && !permits(target.hostname, target.hostname)) {
      // Asynchronous, as a socket's own connect error would be: undici expects the callback later.
      process.nextTick(() => {
        callback(new PushAddressRefusedError('the push URL names an internal address'), null);
      });
      return;
    }
    connect(target, callback);
  };
}

async function checkedAddresses(
  hostname: string,
  resolver: PushHostResolver,
  permits: ConnectPermit,
  timeoutMs: number,
): Promise<LookupAddress[]> {
  const resolved = await withTimeout(
    () => resolver(hostname),
    timeoutMs,
    () => Object.assign(new Error('resolving the push host timed out'), { code: 'ETIMEOUT' }),
  );
  // A copy made before the check, the family read off each address itself: what is checked is what the
  // socket gets, whatever the resolver's array or objects do afterwards.
  const addresses = Array.from(resolved, (entry: ResolvedAddress) => {
    // A plain JavaScript resolver may hand anything over; what is not a string is no address.
    const address: unknown = entry.address;
    return typeof address === 'string' ? address : '';
  }).map((address) => ({ address, family: isIP(address) }));
  if (addresses.length === 0) throw new PushAddressRefusedError('the push host resolves to no address');
  for (const { address } of addresses) {
    if (!permits(hostname, address)) {
      throw new PushAddressRefusedError('the push host resolves to an internal address');
    }
  }
  return addresses;
}

function familyNumber(family: LookupOptions['family']): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}
