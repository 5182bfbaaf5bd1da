import { hasOpenssl, selfSignedCertificate } from '../../support/self-signed-certificate';

/** `describe`, or `describe.skip` with a warning when the push service's certificate cannot be made. */
export function describeWithOpenssl(name: string, body: () => void): void {
  if (!hasOpenssl) console.warn(`${name} skipped: the openssl command line is not on PATH`);
  (hasOpenssl ? describe : describe.skip)(name, body);
}

/** The fake push service's identity on 127.0.0.1 (and `push.test`, for injected resolvers), once per file. */
let certificate: { key: string; cert: string } | undefined;
export function pushServiceCertificate(): { key: string; cert: string } {
  return (certificate ??= selfSignedCertificate(['IP:127.0.0.1', 'DNS:push.test']));
}
