/**
 * Opens Graph's change notifications with encrypted resource data ("rich" notifications), as
 * Microsoft documents them: the AES key is RSA-OAEP (SHA-1) wrapped to our certificate;
 * `dataSignature` is HMAC-SHA256 of the data bytes under that key, checked before anything is
 * decrypted; the data is AES-256-CBC, PKCS7, IV = the key's first 16 bytes.
 * The certificate is a secret `{ id, certificate, privateKey }` (PEMs): a Secrets Manager ARN, or
 * `file:<path>` locally.
 */
import {
  constants,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  privateDecrypt,
  timingSafeEqual,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import * as z from 'zod/mini';
import type { GraphPresence, NotificationDecryptor, RichNotification } from '../core/presence/ports';
import { readJsonSecret } from './graph-secrets';

const certificateSecretSchema = z.object({
  id: z.string().check(z.minLength(1)),
  certificate: z.string().check(z.includes('BEGIN CERTIFICATE')),
  privateKey: z.string().check(z.includes('PRIVATE KEY')),
});

const presenceSchema = z.object({
  id: z.string().check(z.minLength(1)),
  availability: z.string().check(z.minLength(1)),
  activity: z.string().check(z.minLength(1)),
});

interface OpenedCertificate {
  readonly id: string;
  readonly base64Der: string;
  /** SHA-1 fingerprint, upper-case hex without colons, as Graph writes `encryptionCertificateThumbprint` */
  readonly thumbprint: string;
  readonly privateKey: KeyObject;
}

export class PresenceNotificationDecryptor implements NotificationDecryptor {
  private opened?: Promise<OpenedCertificate>;

  constructor(private readonly certificateSecretRef: string) {}

  async certificate(): Promise<{ id: string; base64Der: string }> {
    const { id, base64Der } = await this.load();
    return { id, base64Der };
  }

  async open(notification: RichNotification): Promise<GraphPresence | undefined> {
    const content = notification.encryptedContent;
    if (!content) return undefined;
    const certificate = await this.load();
    if (
      content.encryptionCertificateId !== certificate.id ||
      content.encryptionCertificateThumbprint.replaceAll(':', '').toUpperCase() !== certificate.thumbprint
    ) {
      return undefined;
    }
    try {
      const key = privateDecrypt(
        { key: certificate.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
        Buffer.from(content.dataKey, 'base64'),
      );
      if (key.length !== 32) return undefined;
      const data = Buffer.from(content.data, 'base64');
      const expected = createHmac('sha256', key).update(data).digest();
      const actual = Buffer.from(content.dataSignature, 'base64');
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
      const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
      const plaintext = Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
      const parsed = presenceSchema.safeParse(JSON.parse(plaintext));
      if (!parsed.success) return undefined;
      return {
        id: parsed.data.id.toLowerCase(),
        availability: parsed.data.availability,
        activity: parsed.data.activity,
      };
    } catch {
      // a key that does not unwrap, bad padding, not JSON: dropped, never half-read
      return undefined;
    }
  }

  private load(): Promise<OpenedCertificate> {
    this.opened ??= readJsonSecret(this.certificateSecretRef, certificateSecretSchema)
      .then((secret) => {
        const x509 = new X509Certificate(secret.certificate);
        return {
          id: secret.id,
          base64Der: x509.raw.toString('base64'),
          thumbprint: x509.fingerprint.replaceAll(':', '').toUpperCase(),
          privateKey: createPrivateKey(secret.privateKey),
        };
      })
      .catch((error: unknown) => {
        this.opened = undefined;
        throw error;
      });
    return this.opened;
  }
}

/** `PRESENCE_CERTIFICATE_SECRET`: a Secrets Manager ARN or `file:<path>`. */
export function notificationDecryptorFromRef(certificateSecretRef: string): NotificationDecryptor {
  return new PresenceNotificationDecryptor(certificateSecretRef);
}
