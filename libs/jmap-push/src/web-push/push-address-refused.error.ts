import { JmapPushError } from '../errors/jmap-push.error';

/**
 * A push connection the SSRF guard refused (RFC 8620 section 8.6): the URL's host is an internal address,
 * or resolves to one (or to nothing). Raised from the socket's `lookup`, before any packet is sent, so
 * the sender can tell it from a network failure. The message never names the host or the address: it
 * may end up in logs, and push URLs are the device's secret.
 */
export class PushAddressRefusedError extends JmapPushError {
  override readonly name = 'PushAddressRefusedError';
  /** Like Node's own network errors, so code that only reads `code` still sees a refusal, not a failure. */
  readonly code = 'EJMAPPUSHREFUSED';
}
