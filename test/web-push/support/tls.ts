import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether the `openssl` command line is there to make the fake push service's certificate. */
export const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;

/** `describe`, or `describe.skip` with a warning when the certificate cannot be made. */
export function describeWithOpenssl(name: string, body: () => void): void {
  if (!HAS_OPENSSL) console.warn(`${name} skipped: the openssl command line is not on PATH`);
  (HAS_OPENSSL ? describe : describe.skip)(name, body);
}

/** A P-256 certificate for 127.0.0.1, valid a day: the push service's identity, trusted with `webPush.ca`. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'web-push-e2e-'));
  try {
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
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
