import type { Authenticator, Principal } from 'jmap-push';
import { startPushApp, type PushApp } from './push-app';
import { waitForIdle } from './server-holds';
import { basicAuth, openEventStream, type EventStream, type SseFrame } from './sse-client';
import type { Transport } from './transports';

/** The test's directory: grants the test changes at will; `revalidate` answers from it. */
export class GrantDirectory implements Authenticator {
  grants = new Map<string, string[]>();
  /** Users whose revalidation answers with another user's principal (a directory bug or a swap). */
  answersAs = new Map<string, string>();
  revalidations = 0;
  private waiters: Array<() => void> = [];

  authenticateBasic(username: string, password: string): Principal | null {
    const accountIds = this.grants.get(username);
    return accountIds && password === `pw-${username}` ? { id: username, accountIds: [...accountIds] } : null;
  }

  revalidate(principal: Principal): Principal | null {
    this.revalidations++;
    const id = this.answersAs.get(principal.id) ?? principal.id;
    const accountIds = this.grants.get(id);
    const fresh = accountIds ? { id, accountIds: [...accountIds] } : null;
    // Wake waiters after the registry applied the answer (it does so right after this call returns).
    const waiters = this.waiters.splice(0);
    setImmediate(() => {
      waiters.forEach((wake) => {
        wake();
      });
    });
    return fresh;
  }

  /** Resolves after the next revalidation of any principal has been applied. */
  nextRevalidation(): Promise<void> {
    return new Promise((wake) => this.waiters.push(wake));
  }
}

/** `Authorization` of a user of a `GrantDirectory` (password `pw-<user>`). */
export const directoryAuth = (user: string) => ({ Authorization: basicAuth(user, `pw-${user}`) });

/** The `changed` of a state frame. */
export const changedOf = (frame: SseFrame) =>
  (JSON.parse(frame.data as string) as { changed: Record<string, Record<string, string>> }).changed;

/** What a test file gets from `useDirectoryApp`. */
export interface DirectoryApp {
  readonly push: PushApp;
  readonly directory: GrantDirectory;
  /** Opens a stream of `types` (`null` for all) as `user`, expects 200 and waits for its first frame. */
  readonly connect: (user: string, types: Iterable<string> | null, lastEventId?: string) => Promise<EventStream>;
}

/**
 * One push app per `describe` block over a `GrantDirectory`, revalidating every `revalidateIntervalMs`;
 * the streams a test opened are closed after it, and the server then holds nothing.
 */
export function useDirectoryApp(transport: Transport, revalidateIntervalMs: number): DirectoryApp {
  const directory = new GrantDirectory();
  let push: PushApp | undefined;
  const opened: EventStream[] = [];
  beforeAll(async () => {
    push = await startPushApp({ transport, authenticator: directory, revalidateIntervalMs });
  });
  afterEach(async () => {
    for (const stream of opened.splice(0)) stream.close();
    if (push) await waitForIdle(push);
  });
  afterAll(() => push?.close());
  const app: DirectoryApp = {
    get push(): PushApp {
      if (!push) throw new Error('the push app is not running');
      return push;
    },
    directory,
    connect: async (user, types, lastEventId) => {
      const query = `types=${types ? [...types].join(',') : '*'}&closeafter=no&ping=0`;
      const stream = await openEventStream(app.push.url(query), {
        ...directoryAuth(user),
        ...(lastEventId !== undefined && { 'Last-Event-ID': lastEventId }),
      });
      opened.push(stream);
      expect(stream.status).toBe(200);
      await stream.next();
      return stream;
    },
  };
  return app;
}
