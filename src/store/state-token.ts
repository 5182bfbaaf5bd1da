import { randomBytes } from 'node:crypto';

/**
 * State strings are `<generation>.<seq>`. The generation is drawn once per process: this store lives in
 * memory, so after a restart a client's old state must be refused (`cannotCalculateChanges`, a resync),
 * never mistaken for a position in the new history.
 */
export class StateTokens {
  readonly generation: string;

  constructor(generation = randomBytes(4).toString('hex')) {
    this.generation = generation;
  }

  format(seq: number): string {
    return `${this.generation}.${seq}`;
  }

  /** The `seq` of a state string of this process; `undefined` for anything else. */
  parse(state: string): number | undefined {
    const dot = state.lastIndexOf('.');
    if (dot < 0 || state.slice(0, dot) !== this.generation) return undefined;
    const digits = state.slice(dot + 1);
    if (!/^(0|[1-9]\d{0,14})$/.test(digits)) return undefined;
    return Number(digits);
  }
}
