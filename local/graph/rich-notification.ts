/**
 * Microsoft Graph's encrypted resource data ("rich" change notifications): a random 32-byte AES
 * key; data = AES-256-CBC, PKCS7 padding, IV = the key's first 16 bytes; dataKey = that key
 * RSA-OAEP (SHA-1) encrypted with the subscription's certificate; dataSignature = HMAC-SHA256 of
 * the data bytes keyed by the AES key. Everything base64.
 */
import { createCipheriv, createHmac, constants, publicEncrypt, randomBytes, X509Certificate } from 'node:crypto';

export interface EncryptedContent {
  readonly data: string;
  readonly dataSignature: string;
  readonly dataKey: string;
  readonly encryptionCertificateId: string;
  readonly encryptionCertificateThumbprint: string;
}

/** Parses a subscription's `encryptionCertificate` (base64 X.509 DER, as Graph takes it); throws when it is not one. */
export function parseEncryptionCertificate(base64Der: string): X509Certificate {
  const certificate = new X509Certificate(Buffer.from(base64Der, 'base64'));
  if (certificate.publicKey.asymmetricKeyType !== 'rsa')
    throw new Error('the encryption certificate must hold an RSA key');
  return certificate;
}

/** The SHA-1 thumbprint in hex, as Graph writes `encryptionCertificateThumbprint`. */
export function thumbprint(certificate: X509Certificate): string {
  return certificate.fingerprint.replaceAll(':', '').toUpperCase();
}

export function encryptResourceData(
  resource: unknown,
  certificate: X509Certificate,
  encryptionCertificateId: string,
): EncryptedContent {
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
  const dataKey = publicEncrypt(
    { key: certificate.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    key,
  );
  return {
    data: data.toString('base64'),
    dataSignature: createHmac('sha256', key).update(data).digest('base64'),
    dataKey: dataKey.toString('base64'),
    encryptionCertificateId,
    encryptionCertificateThumbprint: thumbprint(certificate),
  };
}
