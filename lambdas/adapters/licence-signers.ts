/**
 * Signer port implementations: a KMS ECC_NIST_P256 key in the cloud, a local JWK file on the
 * laptop (`file:<path>`). Both produce the same ES256 compact JWS, verifiable with any JOSE library.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { CompactSign, calculateJwkThumbprint, exportJWK, importJWK, importSPKI, type JWK } from 'jose';
import type { Signer } from '../core/ports';
import { rethrowThrottling } from './aws-errors';
import { traced } from '../shared/powertools';
import { attemptCaps } from '../shared/invocation-deadline';
import { cappedHttpHandler, withDeadline } from './sdk-deadline';

const encoder = new TextEncoder();
const b64url = (data: Uint8Array | string) => Buffer.from(data).toString('base64url');

/** Public signing key as a JWK with `kid` = RFC 7638 thumbprint, `alg` ES256, `use` sig. */
export type PublicSigningJwk = JWK & { kid: string; alg: 'ES256'; use: 'sig' };

async function withKid(jwk: JWK): Promise<PublicSigningJwk> {
  const { kty, crv, x, y } = jwk;
  const publicJwk = { kty, crv, x, y } as JWK;
  return { ...publicJwk, kid: await calculateJwkThumbprint(publicJwk), alg: 'ES256', use: 'sig' };
}

export class FileSigner implements Signer {
  private readonly jwk: JWK;
  private keyPromise?: Promise<CryptoKey | Uint8Array>;
  private kidPromise?: Promise<string>;

  constructor(path: string) {
    this.jwk = JSON.parse(readFileSync(path, 'utf8')) as JWK;
    if (this.jwk.kty !== 'EC' || this.jwk.crv !== 'P-256' || !this.jwk.d) {
      throw new Error(`signing key file ${path} must hold a private P-256 JWK`);
    }
  }

  keyId(): Promise<string> {
    this.kidPromise ??= withKid(this.jwk).then((k) => k.kid);
    return this.kidPromise;
  }

  async signJws(payload: Record<string, unknown>, header: Record<string, unknown>): Promise<string> {
    this.keyPromise ??= importJWK(this.jwk, 'ES256') as Promise<CryptoKey | Uint8Array>;
    return new CompactSign(encoder.encode(JSON.stringify(payload)))
      .setProtectedHeader({ ...header, alg: 'ES256' })
      .sign(await this.keyPromise);
  }
}

/** Converts a DER ECDSA signature (what KMS returns) to the raw r‖s form JWS uses. */
export function derToJoseSignature(der: Uint8Array, size = 32): Buffer {
  let offset = 2;
  if (der[1]! & 0x80) offset += der[1]! & 0x7f;
  const read = () => {
    if (der[offset] !== 0x02) throw new Error('malformed DER signature');
    const length = der[offset + 1]!;
    let value = Buffer.from(der.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    return Buffer.concat([Buffer.alloc(size - value.length), value]);
  };
  return Buffer.concat([read(), read()]);
}

const kmsClients = new Map<string, KMSClient>();
/** A KMS client for the region named in the key ARN (the JWKS reads the other region's key too). */
function kmsFor(keyRef: string): KMSClient {
  const region = keyRef.split(':')[3] || undefined;
  const cacheKey = region ?? 'default';
  let client = kmsClients.get(cacheKey);
  if (!client) {
    const requestHandler = cappedHttpHandler(attemptCaps.kms);
    client = withDeadline(
      traced(new KMSClient({ requestHandler, ...(region ? { region } : {}) })),
      attemptCaps.kms,
      'The signing key',
    );
    kmsClients.set(cacheKey, client);
  }
  return client;
}

async function kmsPublicJwk(keyRef: string): Promise<PublicSigningJwk> {
  try {
    const out = await kmsFor(keyRef).send(new GetPublicKeyCommand({ KeyId: keyRef }));
    const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(out.PublicKey!).toString('base64')}\n-----END PUBLIC KEY-----`;
    return withKid(await exportJWK(await importSPKI(pem, 'ES256', { extractable: true })));
  } catch (error) {
    return rethrowThrottling(error, 'The signing key service');
  }
}

export class KmsSigner implements Signer {
  private kidPromise?: Promise<string>;
  constructor(private readonly keyRef: string) {}

  keyId(): Promise<string> {
    this.kidPromise ??= kmsPublicJwk(this.keyRef)
      .then((k) => k.kid)
      .catch((error: unknown) => {
        this.kidPromise = undefined;
        throw error;
      });
    return this.kidPromise;
  }

  async signJws(payload: Record<string, unknown>, header: Record<string, unknown>): Promise<string> {
    const signingInput = `${b64url(JSON.stringify({ ...header, alg: 'ES256' }))}.${b64url(JSON.stringify(payload))}`;
    const digest = createHash('sha256').update(signingInput).digest();
    try {
      const out = await kmsFor(this.keyRef).send(
        new SignCommand({
          KeyId: this.keyRef,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      return `${signingInput}.${b64url(derToJoseSignature(out.Signature!))}`;
    } catch (error) {
      return rethrowThrottling(error, 'The signing key service');
    }
  }
}

export function signerFromRef(ref: string): Signer {
  return ref.startsWith('file:') ? new FileSigner(ref.slice('file:'.length)) : new KmsSigner(ref);
}

export async function publicJwkFromRef(ref: string): Promise<PublicSigningJwk> {
  if (ref.startsWith('file:')) {
    return withKid(JSON.parse(readFileSync(ref.slice('file:'.length), 'utf8')) as JWK);
  }
  return kmsPublicJwk(ref);
}
