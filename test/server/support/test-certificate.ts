import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether the `openssl` command line is there to make certificates with. */
export const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;

/** A self-signed certificate for 127.0.0.1, its key, and the file the certificate is in (e.g. for NODE_EXTRA_CA_CERTS). */
export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  readonly certFile: string;
  /** Deletes the files. */
  remove(): void;
}

/** Makes a P-256 certificate for `IP:127.0.0.1`, valid for a day, with `openssl`. */
export function makeTestCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'jmap-push-cert-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(keyFile, 'utf8'),
    cert: readFileSync(certFile, 'utf8'),
    certFile,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
