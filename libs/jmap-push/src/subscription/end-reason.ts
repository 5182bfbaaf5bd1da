/**
 * Why a subscription ended: the one word every part of the lifecycle uses, passed to the channel's sink so
 * it can end its side the right way (a client that left needs nothing, a stalled one is cut off, a closing
 * server says goodbye).
 */
export type EndReason =
  /** The client closed its connection. */
  | 'clientLeft'
  /** Writing to the client threw. */
  | 'writeFailed'
  /** The client took nothing for `stalledStreamTimeoutMs`. */
  | 'stalled'
  /** `Authenticator.revalidate` no longer vouches for the principal. */
  | 'revoked'
  /** The browser session the subscription was made with expired. */
  | 'expired'
  /** The browser session the subscription was made with signed out. */
  | 'signedOut'
  /** The application is closing. */
  | 'shutdown'
  /** `closeafter=state`: the first state change was sent. */
  | 'closeAfterState'
  /** The bus could not read the changes missed since the client's last event id. */
  | 'replayFailed';
