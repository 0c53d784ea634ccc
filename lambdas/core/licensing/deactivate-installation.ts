/** Deactivation: the installation gives its allocation back to the account's pool; idempotent. */
import { retryStale, type LicensingDeps } from './deps';
import type { Ed25519Jwk } from './model';
import { loadVerified } from './poll-license';
import { CommitRejected } from './repository';

export async function deactivateInstallation(
  deps: LicensingDeps,
  installationId: string,
  verify: (publicKey: Ed25519Jwk) => Promise<void>,
): Promise<void> {
  let installation = await loadVerified(deps, installationId, verify, { allowDeactivated: true });
  // A concurrent change (a deposit granting this installation more capacity) makes the commit
  // stale: read again so exactly what is allocated goes back to the pool.
  await retryStale(
    async () => {
      if (installation.status !== 'active') return;
      const state = await deps.repo.getAccountState(installation.accountId);
      const now = deps.clock.now().toISOString();
      try {
        await deps.repo.commitDeactivation({
          installation,
          clearFollower: state?.account.followerInstallationId === installationId,
          now,
          audit: {
            accountId: installation.accountId,
            at: now,
            eventId: deps.ids.id('evt_'),
            actor: { kind: 'installation', id: installationId },
            action: 'installation.deactivated',
            details: { installationId, released: installation.allocation },
          },
        });
      } catch (error) {
        if (error instanceof CommitRejected && error.reason === 'stale') {
          installation = (await deps.repo.getInstallation(installationId)) ?? installation;
        }
        throw error;
      }
    },
    (e) => e instanceof CommitRejected && e.reason === 'stale',
  );
}
