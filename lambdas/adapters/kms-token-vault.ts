/**
 * Seals tenants' refresh tokens, bound to the account they belong to: with a KMS key of the home
 * region (EncryptionContext `{ accountId }`, the ciphertext blob in base64), or locally with an
 * AES-256 key file, `file:<path>` of a JWK `{ kty: "oct", k }` (AES-256-GCM, the account id as
 * additional data, `v1.<iv>.<tag>.<ciphertext>` in base64url). Either refuses another account's token.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import * as z from 'zod/mini';
import type { TokenVault } from '../core/presence/ports';
import { rethrowThrottling } from './aws-errors';
import { traced } from '../shared/powertools';

/** A sealed token that does not open: tampered, or sealed for another account or with another key. */
export class SealedTokenError extends Error {
  override readonly name = 'SealedTokenError';
  constructor() {
    super('the sealed token does not open for this account');
  }
}

const octKeySchema = z.object({ kty: z.literal('oct'), k: z.string() });

export class FileTokenVault implements TokenVault {
  private readonly key: Buffer;

  constructor(path: string) {
    const parsed = octKeySchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    const key = parsed.success ? Buffer.from(parsed.data.k, 'base64url') : undefined;
    if (key?.length !== 32) throw new Error(`token key file ${path} must hold a JWK { kty: "oct", k } of 32 bytes`);
    this.key = key;
  }

  async seal(plaintext: string, context: { accountId: string }): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(context.accountId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  async open(sealed: string, context: { accountId: string }): Promise<string> {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || tag === undefined || ciphertext === undefined)
      throw new SealedTokenError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(context.accountId, 'utf8'))
        .setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedTokenError();
    }
  }
}

const kmsClients = new Map<string, KMSClient>();
/** A KMS client for the region named in the key ARN. */
function kmsFor(keyArn: string): KMSClient {
  const region = keyArn.split(':')[3] || undefined;
  const cacheKey = region ?? 'default';
  let client = kmsClients.get(cacheKey);
  if (!client) {
    client = traced(new KMSClient(region ? { region } : {}));
    kmsClients.set(cacheKey, client);
  }
  return client;
}

export class KmsTokenVault implements TokenVault {
  constructor(private readonly keyArn: string) {}

  async seal(plaintext: string, context: { accountId: string }): Promise<string> {
    try {
      const out = await kmsFor(this.keyArn).send(
        new EncryptCommand({
          KeyId: this.keyArn,
          Plaintext: Buffer.from(plaintext, 'utf8'),
          EncryptionContext: { accountId: context.accountId },
        }),
      );
      return Buffer.from(out.CiphertextBlob!).toString('base64');
    } catch (error) {
      return rethrowThrottling(error, 'The key service');
    }
  }

  async open(sealed: string, context: { accountId: string }): Promise<string> {
    try {
      const out = await kmsFor(this.keyArn).send(
        new DecryptCommand({
          KeyId: this.keyArn,
          CiphertextBlob: Buffer.from(sealed, 'base64'),
          EncryptionContext: { accountId: context.accountId },
        }),
      );
      return Buffer.from(out.Plaintext!).toString('utf8');
    } catch (error) {
      if (
        error instanceof Error &&
        (error.name === 'InvalidCiphertextException' || error.name === 'IncorrectKeyException')
      ) {
        throw new SealedTokenError();
      }
      return rethrowThrottling(error, 'The key service');
    }
  }
}

/** `PRESENCE_TOKEN_KEY`: a KMS key ARN, or `file:<path>` of a local AES-256 JWK. */
export function tokenVaultFromRef(ref: string): TokenVault {
  return ref.startsWith('file:') ? new FileTokenVault(ref.slice('file:'.length)) : new KmsTokenVault(ref);
}
