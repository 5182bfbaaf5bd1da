import { Agent, request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { startPushApp } from '../support/push-app';
import { basicAuth } from '../support/sse-client';
import { TRANSPORTS } from '../support/transports';

/**
 * Browsers hold event sources on keep-alive connections. Ending the responses is not enough for
 * `app.close()`: an idle keep-alive socket would hold `server.close()` until its keep-alive timeout (5 s).
 */
describe.each(TRANSPORTS)('shutdown with keep-alive clients (%s)', (transport) => {
  it('app.close() ends the streams and their connections at once', async () => {
    const push = await startPushApp({ transport });
    // Far beyond the test's timeout: a connection left to idle out would make `close()` miss it.
    push.app.getHttpServer().keepAliveTimeout = 120_000;
    const agent = new Agent({ keepAlive: true });
    try {
      const responses = await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<IncomingMessage>((resolve) => {
              const req = request(
                push.url('types=*&closeafter=no&ping=0'),
                { agent, headers: { Authorization: basicAuth('bob@example.com', 'bob-secret') } },
                (response) =>
                  response.once('data', () => {
                    resolve(response);
                  }),
              );
              req.end();
            }),
        ),
      );
      const ended = responses.map((response) => new Promise<void>((done) => response.once('end', done).resume()));
      await push.close();
      await Promise.all(ended);
      // Node's types say `socket` is always set; the check allows for a response that let go of it (null).
      expect(
        responses.every((response) => (response.socket as Socket | null) === null || response.socket.destroyed),
      ).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
