/** Online activation: binds an installation's Ed25519 key to an activation key's allocation. */
import * as z from 'zod/mini';
import { ConflictError, ForbiddenError, ServiceUnavailableError } from '../errors';
import type { Product, Region } from './catalogue';
import { assertAccountOpen } from './account-open';
import type { LicenseSettings, LicensingDeps } from './deps';
import { retryStale } from './deps';
import { hashActivationKey } from './create-activation-key';
import { assertHomeRegion } from './home-region';
import { capacityChecks } from './entitlements';
import { buildLicense, signIfChanged } from './license';
import type { Installation } from './model';
import { CommitRejected } from './repository';
import { currentLicense } from './poll-license';

export const ed25519JwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'base64url of 32 bytes')),
});

export const activationBodySchema = z.object({
  activationKey: z.string().check(z.trim(), z.minLength(8), z.maxLength(64)),
  publicKey: ed25519JwkSchema,
  installation: z.object({
    suiteVersion: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)),
    nodes: z.array(z.string().check(z.trim(), z.minLength(1), z.maxLength(253))).check(z.minLength(1), z.maxLength(32)),
  }),
});
export type ActivationBody = z.infer<typeof activationBodySchema>;

export interface ActivationResult {
  installationId: string;
  accountId: string;
  region: Region;
  license: string;
  nextPollSeconds: number;
  telemetry: { enabled: boolean };
}

const KEY_REFUSED = 'The activation key is unknown, expired or already used.';
/** Still a 403 as every refused key (DESIGN.md): the sentence alone says it was revoked. */
const revokedKey = (at: string) =>
  `The activation key was revoked on ${at.slice(0, 10)}; ask the account's administrator for a new key.`;

function toResult(installation: Installation, license: string, settings: LicenseSettings): ActivationResult {
  return {
    installationId: installation.installationId,
    accountId: installation.accountId,
    region: installation.region,
    license,
    nextPollSeconds: settings.nextPollSeconds,
    telemetry: { enabled: installation.telemetryEnabled },
  };
}

/**
 * `thumbprint` is the RFC 7638 thumbprint of `body.publicKey`, whose signature over the request
 * the edge has already verified. The same key and public key again answer the same installation.
 */
export async function activateInstallation(
  deps: LicensingDeps,
  settings: LicenseSettings,
  body: ActivationBody,
  thumbprint: string,
): Promise<{ created: boolean; result: ActivationResult }> {
  const keyHash = hashActivationKey(body.activationKey);

  const replay = async () => {
    const installationId = await deps.repo.findInstallationIdByThumbprint(thumbprint);
    if (!installationId) return undefined;
    const existing = await deps.repo.getInstallation(installationId);
    if (!existing || existing.activationKeyHash !== keyHash) {
      throw new ConflictError('This public key is already bound to another activation.');
    }
    if (existing.status !== 'active') throw new ForbiddenError(KEY_REFUSED);
    const license = await currentLicense(deps, settings, existing);
    return { created: false, result: toResult(existing, license, settings) };
  };

  const earlier = await replay();
  if (earlier) return earlier;

  try {
    return await retryStale(
      async () => {
        const now = deps.clock.now();
        const key = await deps.repo.getActivationKey(keyHash);
        if (key?.revokedAt) throw new ForbiddenError(revokedKey(key.revokedAt));
        if (!key || key.usedBy || Date.parse(key.expiresAt) <= now.getTime()) throw new ForbiddenError(KEY_REFUSED);
        const state = await deps.repo.getAccountState(key.accountId);
        if (!state) throw new ForbiddenError(KEY_REFUSED);
        const { account } = state;
        assertHomeRegion(account.region, deps.here);
        assertAccountOpen(account);

        const installationId = deps.ids.id('inst_');
        const built = buildLicense({
          installationId,
          account,
          allocation: key.allocation,
          activatedAt: now.toISOString(),
          entitlements: state.entitlements,
          installations: state.installations,
          at: now,
          nextPollSeconds: settings.nextPollSeconds,
          ...(settings.shortfallGraceDays !== undefined && { shortfallGraceDays: settings.shortfallGraceDays }),
        });
        const { license } = await signIfChanged(built.content, settings.signer, {
          now,
          ttlDays: settings.licenseTtlDays,
          basedOnRev: 0,
          // the commit holds only at this termsRev
          basedOnAccountRev: account.termsRev,
          ...(built.validUntil && { validUntil: built.validUntil }),
        });
        const installation: Installation = {
          installationId,
          accountId: account.accountId,
          region: account.region,
          publicKey: body.publicKey,
          thumbprint,
          activationKeyHash: keyHash,
          nodes: body.installation.nodes,
          suiteVersion: body.installation.suiteVersion,
          status: 'active',
          allocation: key.allocation,
          telemetryEnabled: account.telemetryEnabled,
          rev: 0,
          license,
          activatedAt: now.toISOString(),
        };
        await deps.repo.commitActivation({
          keyHash,
          ...(key.keyId && { keyId: key.keyId }),
          installation,
          expectedTermsRev: account.termsRev,
          // the capacity now, as the entitlements read give it: the pools refuse more than that
          capacity: capacityChecks(state, Object.keys(key.allocation) as Product[], now.getTime()),
          becomeFollower: key.followsPool && !account.followerInstallationId,
          now: now.toISOString(),
          audit: {
            accountId: account.accountId,
            at: now.toISOString(),
            eventId: deps.ids.id('evt_'),
            actor: { kind: 'installation', id: installationId },
            action: 'installation.activated',
            details: {
              installationId,
              allocation: key.allocation,
              nodes: body.installation.nodes,
              suiteVersion: body.installation.suiteVersion,
            },
          },
        });
        return { created: true, result: toResult(installation, license.jws, settings) };
      },
      (e) => e instanceof CommitRejected && e.reason === 'stale',
    );
  } catch (error) {
    if (!(error instanceof CommitRejected)) throw error;
    switch (error.reason) {
      case 'capacity':
        throw new ConflictError("Not enough free capacity for this activation key's allocation.");
      case 'installation-exists':
      case 'key-unavailable': {
        const raced = await replay();
        if (raced) return raced;
        const revokedAt = (await deps.repo.getActivationKey(keyHash))?.revokedAt;
        throw new ForbiddenError(revokedAt ? revokedKey(revokedAt) : KEY_REFUSED);
      }
      default:
        throw new ServiceUnavailableError('The account is changing right now; retry the activation.', 1);
    }
  }
}
