/** How one push request ended, as the delivery policy acts on it. */
export type PushOutcome =
  /** 2xx: accepted by the push service. */
  | { readonly kind: 'delivered'; readonly status: number }
  /** 404 or 410: the push service forgot the subscription; it is destroyed. */
  | { readonly kind: 'gone'; readonly status: number }
  /**
   * 429, 5xx, a timeout or a network failure: sent again later. `retryAfterMs` is the push service's
   * `Retry-After`, when it gave one.
   */
  | { readonly kind: 'retry'; readonly status?: number; readonly retryAfterMs?: number; readonly reason: string }
  /** Any other status (4xx, 3xx: redirects are not followed): logged and counted, the push is dropped. */
  | { readonly kind: 'rejected'; readonly status: number }
  /**
   * Not sent, and no push to this subscription ever will be: the SSRF guard refused the URL's host or an
   * address it resolved to (or it resolved to none), or the URL is not https, or the keys cannot encrypt.
   */
  | { readonly kind: 'refused'; readonly reason: string };
