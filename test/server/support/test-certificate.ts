import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '../../support/self-signed-certificate';

/** A self-signed certificate for 127.0.0.1, its key, and a file holding the certificate (for NODE_EXTRA_CA_CERTS). */
export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  readonly certFile: string;
  /** Deletes the file. */
  remove(): void;
}

/** A push service's identity on 127.0.0.1, with the certificate in a file a server process is pointed at. */
export function makeTestCertificate(): TestCertificate {
  const { key, cert } = selfSignedCertificate(['IP:127.0.0.1']);
  const dir = mkdtempSync(join(tmpdir(), 'jmap-push-ca-'));
  const certFile = join(dir, 'cert.pem');
  writeFileSync(certFile, cert);
  return {
    key,
    cert,
    certFile,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
