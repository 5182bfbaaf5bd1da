import nodemailer from 'nodemailer';
import { Socket } from 'node:net';

/** The per-recipient outcome nodemailer reports for an LMTP delivery. */
export interface LmtpResult {
  readonly accepted: string[];
  readonly rejected: string[];
  readonly response: string;
  readonly rejectedErrors?: Array<{ response?: string; responseCode?: number; recipient?: string }>;
}

/** Sends a raw message over LMTP with nodemailer (a real SMTP/LMTP client library). */
export async function sendLmtp(
  port: number,
  envelope: { from: string; to: string[] },
  raw: string | Buffer,
): Promise<LmtpResult> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    lmtp: true,
    secure: false,
    ignoreTLS: true,
  } as any);
  try {
    return await transport.sendMail({ envelope, raw });
  } finally {
    transport.close();
  }
}

/** Speaks LMTP by hand for what a client library will not send (e.g. bytes it would fix up); answers every reply line. */
export function rawLmtpSession(port: number, commands: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const replies: string[] = [];
    let buffer = '';
    let step = 0;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        replies.push(line);
        // A final reply line (`250 ...`, not `250-...`) lets the next command go, except after DATA's body.
        if (/^\d{3} /.test(line) && step < commands.length) socket.write(commands[step++]);
        else if (/^\d{3} /.test(line) && step === commands.length && line.startsWith('221')) socket.end();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      resolve(replies);
    });
    socket.connect(port, '127.0.0.1');
  });
}
