import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { JmapUser } from '../auth/jmap-user';
import { UserDirectory } from '../auth/user-directory.service';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config';
import { MailDelivery, MalformedMessageError } from './mail-delivery.service';

/** Largest message accepted (advertised with SIZE, enforced with 552). */
export const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

/** An error carrying the LMTP reply code `smtp-server` should send. */
function reply(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * LMTP (RFC 2033) on `LMTP_PORT`, the way a mail transfer agent hands mail to a store. `smtp-server`
 * speaks the protocol; this class only decides: unknown recipients get 550 at RCPT, malformed messages
 * 554 after DATA, a local failure 451 (the MTA retries). One reply per recipient, as LMTP requires.
 */
@Injectable()
export class LmtpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LmtpServer.name);
  private server?: SMTPServer;

  constructor(
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    private readonly users: UserDirectory,
    private readonly delivery: MailDelivery,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.lmtpPort;
    if (port === null) return;
    const server = new SMTPServer({
      lmtp: true,
      name: 'jmap-push',
      banner: 'jmap-push reference server',
      // LMTP is for the local MTA: no authentication, no TLS, no relaying.
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: MAX_MESSAGE_BYTES,
      rejectOversized: true,
      // RFC 2034 enhanced codes (5.1.1 unknown user, 5.6.0 bad content) tell the MTA precisely what failed.
      hideENHANCEDSTATUSCODES: false,
      logger: false,
      onRcptTo: (address, session, callback) => {
        this.onRcptTo(address, session, callback);
      },
      onData: (stream, session, callback) => {
        this.onData(stream, session, callback);
      },
    });
    server.on('error', (error) => {
      this.logger.warn(`LMTP connection error: ${error.message}`);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, this.config.lmtpHost, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
  }

  /** The port LMTP listens on; `undefined` when it is off. */
  port(): number | undefined {
    const address = this.server?.server.address() as AddressInfo | null | undefined;
    return address?.port;
  }

  private onRcptTo(
    address: SMTPServerAddress,
    _session: SMTPServerSession,
    callback: (error?: Error | null) => void,
  ): void {
    if (this.users.findByAddress(address.address)) {
      callback();
      return;
    }
    callback(reply(550, `<${address.address}>: no such user here`));
  }

  private onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (error?: Error | null, message?: string) => void,
  ): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      // Past the limit smtp-server answers 552 itself (`rejectOversized`); stop keeping the bytes.
      if (!stream.sizeExceeded) chunks.push(chunk);
    });
    stream.on('error', (error) => {
      callback(reply(451, `message could not be read: ${error.message}`));
    });
    stream.on('end', () => {
      if (stream.sizeExceeded) {
        callback(reply(552, 'message exceeds fixed maximum message size'));
        return;
      }
      const recipients = session.envelope.rcptTo
        .map((address) => this.users.findByAddress(address.address))
        .filter((user): user is JmapUser => user !== undefined);
      this.delivery.deliver(Buffer.concat(chunks), recipients).then(
        () => {
          callback(null, 'delivered');
        },
        (error: unknown) => {
          if (error instanceof MalformedMessageError) {
            callback(reply(554, `message refused: ${error.message}`));
            return;
          }
          this.logger.error('delivery failed', error instanceof Error ? error.stack : String(error));
          callback(reply(451, 'local error in processing, try again later'));
        },
      );
    });
  }
}
