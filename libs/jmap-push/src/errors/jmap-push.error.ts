/** The base of the errors jmap-push throws or rejects with: `error instanceof JmapPushError` tells them from anyone else's. */
export class JmapPushError extends Error {
  override readonly name: string = 'JmapPushError';
}
