import { selfSignedCertificate } from '../../support/self-signed-certificate';

/** The fake push service's identity on 127.0.0.1 (and `push.test`, for injected resolvers), once per file. */
let certificate: { key: string; cert: string } | undefined;
export function pushServiceCertificate(): { key: string; cert: string } {
  return (certificate ??= selfSignedCertificate(['IP:127.0.0.1', 'DNS:push.test']));
}
