/**
 * The installation's Ed25519 key on disk: PKCS#8 PEM in a file only its user may read (0600), in
 * a directory only its user may enter (0700). The agent refuses a key file anyone else could read
 * or write: it is the installation's credential.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { AgentStateError } from './errors';
import { generateIdentityKeys, jwkThumbprint } from './signing';
import type { Ed25519PublicJwk } from './types';

export interface Identity {
  privateKey: KeyObject;
  publicJwk: Ed25519PublicJwk;
  thumbprint: string;
}

/** Creates the directory (0700) if missing. */
export function ensurePrivateDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
}

/** Throws unless the file's mode gives nothing to group or others (POSIX only). */
export function assertPrivateFile(path: string): void {
  if (process.platform === 'win32') return; // ACLs, not modes: the Windows build checks them itself
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new AgentStateError(
      `The key file ${path} has mode ${mode.toString(8).padStart(4, '0')}; it must be readable only by its owner. Run: chmod 600 ${path}`,
    );
  }
}

export async function identityOf(privateKey: KeyObject): Promise<Identity> {
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicJwk: Ed25519PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: x as string };
  return { privateKey, publicJwk, thumbprint: await jwkThumbprint(publicJwk) };
}

/** Reads the key, refusing a key file with loose permissions. */
export async function loadIdentity(path: string): Promise<Identity> {
  if (!existsSync(path)) throw new AgentStateError(`No key file at ${path}: activate first (ucx-agent activate).`);
  assertPrivateFile(path);
  const key = createPrivateKey(readFileSync(path));
  if (key.asymmetricKeyType !== 'ed25519')
    throw new AgentStateError(`The key file ${path} does not hold an Ed25519 key.`);
  return identityOf(key);
}

/** The existing identity, or a new one written with mode 0600 (created exclusively: never overwritten). */
export async function loadOrCreateIdentity(path: string): Promise<Identity> {
  if (existsSync(path)) return loadIdentity(path);
  const { privateKey } = await generateIdentityKeys();
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, pem);
  } finally {
    closeSync(fd);
  }
  if (process.platform !== 'win32') chmodSync(path, 0o600); // a umask can only remove bits; be explicit anyway
  return identityOf(privateKey);
}
