import { connect, type Socket } from 'node:net';

/** Ends a cycle: destroys the socket; an error fails the cycle. Only the first call counts. */
export type FinishCycle = (error?: Error) => void;

const HANG_MS = 10_000;

/**
 * One connect/disconnect cycle of a churn test on a raw socket to 127.0.0.1:`port`. `drive` writes
 * and reads as the cycle's kind wants and calls `finish`; it returns what the socket has received so
 * far, for the message when the cycle hangs. A socket error or close also ends the cycle: the server
 * may hang up first, which is what churn provokes.
 */
export function rawCycle(
  port: number,
  label: string,
  drive: (socket: Socket, finish: FinishCycle) => () => Buffer,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let done = false;
    const finish: FinishCycle = (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => {
      finish(new Error(`${label} cycle hung; got ${JSON.stringify(received().toString('latin1').slice(0, 200))}`));
    }, HANG_MS);
    socket.on('error', () => {
      finish();
    });
    socket.on('close', () => {
      finish();
    });
    const received = drive(socket, finish);
  });
}
