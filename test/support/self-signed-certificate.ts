import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether the openssl command line is on PATH; specs that need a certificate skip without it. */
export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/**
 * A fresh P-256 key and a self-signed certificate, valid for a day, for `subjectAltNames` (e.g.
 * `IP:127.0.0.1`, `DNS:push.test`): a TLS server's identity that a test trusts through `ca`.
 */
export function selfSignedCertificate(subjectAltNames: readonly string[]): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'jmap-push-tls-'));
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
        '/CN=jmap-push test',
        '-addext',
        `subjectAltName=${subjectAltNames.join(',')}`,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
