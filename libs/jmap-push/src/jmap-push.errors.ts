/** The base of every error this library throws on its own account. */
export class JmapPushError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Module options that would break the RFC or the server, found at startup. */
export class JmapPushConfigError extends JmapPushError {
  constructor(detail: string) {
    super(`JmapPushModule: ${detail}`);
  }
}
