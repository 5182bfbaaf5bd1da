import type { LookupAddress } from 'node:dns';
import { connect, createServer, type LookupFunction, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mayConnect } from './address-policy';
import { guardedConnector, guardedLookup, type ConnectPermit } from './guarded-lookup';
import { PushAddressRefusedError } from './push-address-refused.error';
import type { PushHostResolver, ResolvedAddress } from './web-push-options.interface';

// RFC 8620 section 8.6 (SSRF). Every address here that is not loopback is refused before any socket
// exists; the tests that connect do so to 127.0.0.0/8 only.

interface LookupAnswer {
  readonly error: (Error & { code?: string }) | null;
  readonly address: string | LookupAddress[];
  readonly family?: number;
}

function lookUp(lookup: LookupFunction, hostname: string, all: boolean, family = 0): Promise<LookupAnswer> {
  return new Promise((resolve) => {
    lookup(hostname, { all, family }, (error, address, family) => {
      resolve({ error, address, family });
    });
  });
}

const publicOnly: ConnectPermit = (host, address) => mayConnect(host, address, new Set());

function answering(...answers: ReadonlyArray<readonly ResolvedAddress[]>): PushHostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = (hostname: string): Promise<readonly ResolvedAddress[]> => {
    calls.push(hostname);
    const answer = answers.at(Math.min(calls.length, answers.length) - 1);
    return Promise.resolve(answer ?? []);
  };
  return Object.assign(resolver, { calls });
}

describe('guardedLookup, as a function', () => {
  it('hands every checked address over when Node asks for all (autoSelectFamily)', async () => {
    const resolver = answering([
      { address: '1.1.1.1', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ]);
    const answer = await lookUp(guardedLookup(resolver, publicOnly, 1_000), 'push.example', true);
    expect(answer.error).toBeNull();
    expect(answer.address).toEqual([
      { address: '1.1.1.1', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ]);
    expect(resolver.calls).toEqual(['push.example']);
  });

  it('hands the first address and its family when Node asks for one', async () => {
    const resolver = answering([{ address: '2606:4700:4700::1111', family: 6 }]);
    const answer = await lookUp(guardedLookup(resolver, publicOnly, 1_000), 'push.example', false);
    expect(answer).toEqual({ error: null, address: '2606:4700:4700::1111', family: 6 });
  });

  it('keeps to the family Node asks for', async () => {
    const resolver = answering([
      { address: '2606:4700:4700::1111', family: 6 },
      { address: '1.1.1.1', family: 4 },
    ]);
    const answer = await lookUp(guardedLookup(resolver, publicOnly, 1_000), 'push.example', false, 4);
    expect(answer).toEqual({ error: null, address: '1.1.1.1', family: 4 });
  });

  it.each<[string, ResolvedAddress[]]>([
    ['a private address', [{ address: '10.0.0.1', family: 4 }]],
    ['IPv4-mapped loopback', [{ address: '::ffff:127.0.0.1', family: 6 }]],
    ['loopback', [{ address: '127.0.0.1', family: 4 }]],
    ['the cloud metadata address', [{ address: '169.254.169.254', family: 4 }]],
    [
      'one internal address among public ones',
      [
        { address: '1.1.1.1', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ],
    ],
    ['no address', []],
    ['something that is not an address', [{ address: 'localhost', family: 4 }]],
  ])(
    'refuses a name that resolves to %s, with a PushAddressRefusedError naming neither host nor address',
    async (_, addresses) => {
      const answer = await lookUp(guardedLookup(answering(addresses), publicOnly, 1_000), 'evil.example', true);
      expect(answer.error).toBeInstanceOf(PushAddressRefusedError);
      expect(answer.error?.code).toBe('EJMAPPUSHREFUSED');
      expect(answer.error?.message).not.toMatch(/evil|10\.0|127|169|localhost/);
    },
  );

  it('checks the address it hands over: a resolver that changes its answer after returning changes nothing', async () => {
    // A hostile resolver object: its address reads public the first time and internal afterwards.
    let reads = 0;
    const shifty = {
      get address(): string {
        return reads++ === 0 ? '1.1.1.1' : '10.0.0.1';
      },
      family: 4 as const,
    };
    const answer = await lookUp(
      guardedLookup(() => Promise.resolve([shifty]), publicOnly, 1_000),
      'x.example',
      true,
    );
    expect(answer).toEqual({ error: null, address: [{ address: '1.1.1.1', family: 4 }], family: undefined });
  });

  it('reads the family off the address, not off what the resolver says', async () => {
    const resolver = answering([{ address: '1.1.1.1', family: 6 }]);
    const answer = await lookUp(guardedLookup(resolver, publicOnly, 1_000), 'push.example', false);
    expect(answer).toEqual({ error: null, address: '1.1.1.1', family: 4 });
  });

  it("passes the resolver's failure on (a network failure, not a refusal)", async () => {
    const failing: PushHostResolver = () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    const answer = await lookUp(guardedLookup(failing, publicOnly, 1_000), 'gone.example', true);
    expect(answer.error).not.toBeInstanceOf(PushAddressRefusedError);
    expect(answer.error?.code).toBe('ENOTFOUND');
  });

  it('fails with ETIMEOUT when the resolver takes longer than the timeout', async () => {
    const hanging: PushHostResolver = () => new Promise(() => undefined);
    const answer = await lookUp(guardedLookup(hanging, publicOnly, 30), 'slow.example', true);
    expect(answer.error?.code).toBe('ETIMEOUT');
  });
});

describe('guardedLookup and guardedConnector on real loopback sockets', () => {
  const servers: Server[] = [];
  const accepted = new Map<string, number>();
  let port = 0;

  beforeAll(async () => {
    // Two listeners on one port: 127.0.0.1 stands for an allowed address, 127.0.0.2 for a refused one.
    const first = await listen('127.0.0.1', 0);
    port = first;
    await listen('127.0.0.2', port);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  });
  beforeEach(() => {
    accepted.clear();
  });

  function listen(host: string, wanted: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => {
        accepted.set(host, (accepted.get(host) ?? 0) + 1);
        socket.destroy();
      });
      servers.push(server);
      server.once('error', reject);
      server.listen(wanted, host, () => {
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  function open(options: { host: string; lookup: LookupFunction; autoSelectFamily: boolean }): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ ...options, port });
      socket.once('connect', () => {
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }

  // Stands for the real policy in a world where 127.0.0.1 is public and 127.0.0.2 internal.
  const onlyFirstLoopback: ConnectPermit = (_, address) => address === '127.0.0.1';

  it.each([true, false])(
    'connects to exactly the address it checked, asking the resolver once per connection (autoSelectFamily %s)',
    async (autoSelectFamily) => {
      // DNS rebinding: the name answers an allowed address, then an internal one.
      const resolver = answering([{ address: '127.0.0.1', family: 4 }], [{ address: '127.0.0.2', family: 4 }]);
      const lookup = guardedLookup(resolver, onlyFirstLoopback, 1_000);

      const socket = await open({ host: 'rebind.test', lookup, autoSelectFamily });
      expect(socket.remoteAddress).toBe('127.0.0.1');
      socket.destroy();
      expect(resolver.calls).toEqual(['rebind.test']);

      const second = open({ host: 'rebind.test', lookup, autoSelectFamily });
      await expect(second).rejects.toBeInstanceOf(PushAddressRefusedError);
      expect(resolver.calls).toEqual(['rebind.test', 'rebind.test']);
      expect(accepted.get('127.0.0.2')).toBeUndefined();
    },
  );

  it('refuses a name that is not in allowHosts resolving to loopback, with the real policy', async () => {
    const resolver = answering([{ address: '127.0.0.1', family: 4 }]);
    const lookup = guardedLookup(resolver, (host, address) => mayConnect(host, address, new Set(['127.0.0.1'])), 1_000);
    await expect(open({ host: 'not-listed.test', lookup, autoSelectFamily: true })).rejects.toBeInstanceOf(
      PushAddressRefusedError,
    );
    expect(accepted.size).toBe(0);
  });

  it('lets a name in allowHosts reach loopback, with the real policy', async () => {
    const resolver = answering([{ address: '127.0.0.1', family: 4 }]);
    const lookup = guardedLookup(
      resolver,
      (host, address) => mayConnect(host, address, new Set(['relay.test'])),
      1_000,
    );
    const socket = await open({ host: 'relay.test', lookup, autoSelectFamily: true });
    expect(socket.remoteAddress).toBe('127.0.0.1');
    socket.destroy();
  });

  function connectWith(permits: ConnectPermit, resolver: PushHostResolver, hostname: string): Promise<Socket> {
    const connector = guardedConnector({}, resolver, permits, 1_000);
    return new Promise((resolve, reject) => {
      connector({ hostname, protocol: 'http:', port: String(port) }, (error, socket) => {
        if (error) reject(error);
        else resolve(socket);
      });
    });
  }

  it('checks an IP-literal host itself, without resolving (Node skips lookup for IP hosts)', async () => {
    const resolver = answering();
    await expect(connectWith(onlyFirstLoopback, resolver, '127.0.0.2')).rejects.toBeInstanceOf(PushAddressRefusedError);
    const socket = await connectWith(onlyFirstLoopback, resolver, '127.0.0.1');
    expect(socket.remoteAddress).toBe('127.0.0.1');
    socket.destroy();
    expect(resolver.calls).toEqual([]);
    expect(accepted.get('127.0.0.2')).toBeUndefined();
  });

  it('refuses an internal IP-literal host before any socket exists, with the real policy', async () => {
    const resolver = answering();
    const permits: ConnectPermit = (host, address) => mayConnect(host, address, new Set());
    for (const literal of ['10.0.0.1', '127.0.0.1', '::1', '169.254.169.254', '::ffff:10.0.0.1']) {
      await expect(connectWith(permits, resolver, literal)).rejects.toBeInstanceOf(PushAddressRefusedError);
    }
    expect(accepted.size).toBe(0);
  });

  it('resolves a name through the guarded lookup', async () => {
    const resolver = answering([{ address: '127.0.0.2', family: 4 }]);
    await expect(connectWith(onlyFirstLoopback, resolver, 'rebind.test')).rejects.toBeInstanceOf(
      PushAddressRefusedError,
    );
    expect(resolver.calls).toEqual(['rebind.test']);
    expect(accepted.size).toBe(0);
  });
});
