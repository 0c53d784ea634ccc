/**
 * Offline activation for air-gapped sites: the portal or the back office posts the agent's signed
 * request file; it is verified with the public key it carries, then activated by exactly the
 * online logic (`activateInstallation`), and answered with the response file the agent imports,
 * JWKS included so the agent can pin it without ever reaching the cloud.
 */
import { createPublicKey, verify } from 'node:crypto';
import * as z from 'zod/mini';
import { canonicalJson } from '../canonical-json';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from './access';
import { activateInstallation, activationBodySchema, type ActivationResult } from './activate-installation';
import { hashActivationKey } from './create-activation-key';
import type { LicenseSettings, LicensingDeps } from './deps';

export const offlineActivationBodySchema = z.object({
  request: z.extend(activationBodySchema, { createdAt: z.iso.datetime({ offset: true }) }),
  signature: z.string().check(z.regex(/^[A-Za-z0-9_-]{86}$/, 'base64url of a 64-byte Ed25519 signature')),
  keyid: z.string().check(z.minLength(1), z.maxLength(128)),
});
export type OfflineActivationBody = z.infer<typeof offlineActivationBodySchema>;

export interface OfflineActivationResult extends ActivationResult {
  /** the licence-signing keys, for the agent to pin */
  jwks: { keys: unknown[] };
}

export interface OfflineActivationPorts {
  /** RFC 7638 thumbprint of an Ed25519 public JWK */
  thumbprint(jwk: OfflineActivationBody['request']['publicKey']): Promise<string>;
  /** the public keys that sign licences (the JWKS route's) */
  jwks(): Promise<unknown[]>;
}

const KEY_REFUSED = 'The activation key is unknown, expired or already used.';

/** True when `signature` is the request's own key's Ed25519 signature over its canonical JSON. */
export function offlineSignatureValid(body: OfflineActivationBody): boolean {
  try {
    const key = createPublicKey({ key: body.request.publicKey, format: 'jwk' });
    return verify(null, Buffer.from(canonicalJson(body.request)), key, Buffer.from(body.signature, 'base64url'));
  } catch {
    return false;
  }
}

export async function offlineActivation(
  deps: LicensingDeps,
  settings: LicenseSettings,
  ports: OfflineActivationPorts,
  principal: Principal,
  accountId: string,
  body: OfflineActivationBody,
): Promise<{ created: boolean; result: OfflineActivationResult }> {
  // The caller's rights first: one who may not manage the account learns nothing of the file or its key.
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'manage');

  const thumbprint = await ports.thumbprint(body.request.publicKey);
  if (body.keyid !== thumbprint)
    throw new UnauthorizedError('The request file keyid is not the thumbprint of its public key.');
  if (!offlineSignatureValid(body))
    throw new UnauthorizedError(
      'The request file signature does not verify with its public key: the file was altered.',
    );

  // Another account's key is answered as an unknown one: the answer never tells whose key it is.
  const key = await deps.repo.getActivationKey(hashActivationKey(body.request.activationKey));
  if (!key || key.accountId !== accountId) throw new ForbiddenError(KEY_REFUSED);

  const { activationKey, publicKey, installation } = body.request;
  const { created, result } = await activateInstallation(
    deps,
    settings,
    { activationKey, publicKey, installation },
    thumbprint,
  );
  return { created, result: { ...result, jwks: { keys: await ports.jwks() } } };
}
