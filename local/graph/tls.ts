/**
 * A self-signed certificate for the identity platform stand-in: OAuth clients (oauth4webapi, MSAL)
 * refuse an authority that is not https, so the stand-in serves its identity endpoints over TLS on
 * 127.0.0.1 with this one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsIdentity {
  /** PEM private key */
  readonly key: string;
  /** PEM certificate; a client trusts the stand-in by adding it to its CAs */
  readonly cert: string;
}

/** A fresh RSA-2048 certificate for `127.0.0.1` and `localhost`, valid 10 years (openssl, as the machine has it). */
export function selfSignedCertificate(commonName = 'ucx-graph-standin'): TlsIdentity {
  const dir = mkdtempSync(join(tmpdir(), 'ucx-graph-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '3650',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(
      'The Microsoft Graph stand-in makes its TLS certificate with openssl: install it (apt-get install openssl)',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
