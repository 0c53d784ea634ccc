import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RichNotification } from '#lambdas/core/presence/ports';
import { notificationDecryptorFromRef } from '#lambdas/adapters/presence-notification-decryptor';
import { encryptResourceData, parseEncryptionCertificate } from '#local/graph/rich-notification';
import { selfSignedCertificate } from '#local/graph/tls';

const userId = 'a0000000-0000-4000-8000-000000000002';
let dir: string;
let secretRef: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'presence-decryptor-'));
  const { cert, key } = selfSignedCertificate('presence-notifications');
  writeFileSync(join(dir, 'certificate.json'), JSON.stringify({ id: 'cert-1', certificate: cert, privateKey: key }));
  secretRef = `file:${join(dir, 'certificate.json')}`;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A notification as the stand-in's Graph posts it, encrypted to the certificate subscriptions name. */
async function notification(resource: unknown, certificateId = 'cert-1'): Promise<RichNotification> {
  const { base64Der } = await notificationDecryptorFromRef(secretRef).certificate();
  return {
    subscriptionId: 'subscription-1',
    clientState: 'state',
    changeType: 'updated',
    resource: `communications/presences('${userId}')`,
    encryptedContent: encryptResourceData(resource, parseEncryptionCertificate(base64Der), certificateId),
  };
}

const presence = { '@odata.type': '#Microsoft.Graph.presence', id: userId, availability: 'Busy', activity: 'InACall' };

function withContent(n: RichNotification, change: Partial<NonNullable<RichNotification['encryptedContent']>>) {
  return {
    ...n,
    encryptedContent: { ...(n.encryptedContent as NonNullable<RichNotification['encryptedContent']>), ...change },
  };
}

describe('PresenceNotificationDecryptor', () => {
  it('gives the certificate as base64 DER with its id', async () => {
    const certificate = await notificationDecryptorFromRef(secretRef).certificate();

    expect(certificate.id).toBe('cert-1');
    expect(parseEncryptionCertificate(certificate.base64Der).subject).toContain('presence-notifications');
  });

  it('opens a notification encrypted by Graph’s algorithm (the stand-in’s encryptor)', async () => {
    const sent = await notification(presence);

    const opened = await notificationDecryptorFromRef(secretRef).open(sent);

    expect(opened).toEqual({ id: userId, availability: 'Busy', activity: 'InACall' });
  });

  it('refuses a flipped byte in the data, a wrong signature, another certificate and a non-presence', async () => {
    const decryptor = notificationDecryptorFromRef(secretRef);
    const sent = await notification(presence);
    const content = sent.encryptedContent as NonNullable<RichNotification['encryptedContent']>;
    const data = Buffer.from(content.data, 'base64');
    data[5] = (data[5] as number) ^ 0x01;
    const signature = Buffer.from(content.dataSignature, 'base64');
    signature[0] = (signature[0] as number) ^ 0x80;

    const refused = await Promise.all([
      decryptor.open(withContent(sent, { data: data.toString('base64') })),
      decryptor.open(withContent(sent, { dataSignature: signature.toString('base64') })),
      decryptor.open(withContent(sent, { dataSignature: '' })),
      decryptor.open(withContent(sent, { encryptionCertificateThumbprint: '00'.repeat(20) })),
      decryptor.open(await notification(presence, 'cert-2')),
      decryptor.open(await notification({ id: userId, availability: 'Busy' })),
      decryptor.open({ ...sent, encryptedContent: undefined }),
    ]);

    expect(refused).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(await decryptor.open(sent)).toMatchObject({ availability: 'Busy' });
  });
});
