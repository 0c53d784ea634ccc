/**
 * Deactivation: the installation gives its allocation back to the account's pool; idempotent.
 * Asked by its agent (signed) or from the portal by the account's administrators, its reseller or
 * the back office; either way the audit event names who did it, and the agent's next poll gets 410.
 * The commit bumps the account's termsRev: the other installations' next polls re-read their backing.
 */
import { ServiceUnavailableError } from '../errors';
import type { Principal } from './access';
import { loadManagedInstallation } from './account-installation';
import { retryStale, type LicensingDeps } from './deps';
import { assertHomeRegion } from './home-region';
import type { Actor, Installation } from './model';
import { loadVerified } from './poll-license';
import { CommitRejected } from './repository';
import type { SignatureCheck } from './signature-check';

/** `DELETE /v1/installations/{id}`: the agent, verified against the installation's own key. */
export async function deactivateInstallation(
  deps: LicensingDeps,
  installationId: string,
  verify: SignatureCheck,
): Promise<void> {
  const installation = await loadVerified(deps, installationId, verify, { allowDeactivated: true });
  await releaseInstallation(deps, installation, { kind: 'installation', id: installationId });
}

/** `DELETE /v1/accounts/{accountId}/installations/{installationId}`: a person who manages the account. */
export async function deactivateAccountInstallation(
  deps: LicensingDeps,
  principal: Principal,
  accountId: string,
  installationId: string,
): Promise<void> {
  const { installation } = await loadManagedInstallation(deps, principal, accountId, installationId);
  await releaseInstallation(deps, installation, { kind: principal.role, id: principal.sub });
}

/** The automatic release of a stale installation (stale-release.ts): actor `system`, reason `stale-release`. */
export async function releaseStaleInstallation(deps: LicensingDeps, installation: Installation): Promise<void> {
  await releaseInstallation(
    deps,
    installation,
    { kind: 'system', id: 'stale-release' },
    { reason: 'stale-release' },
    true,
  );
}

/** An account's closure (accounts/closure.ts) or its eraser: `actor` closed it, reason `account-closed`. */
export async function releaseClosedAccountInstallation(
  deps: LicensingDeps,
  installation: Installation,
  actor: Actor,
): Promise<void> {
  await releaseInstallation(deps, installation, actor, { reason: 'account-closed' }, true);
}

async function releaseInstallation(
  deps: LicensingDeps,
  read: Installation,
  actor: Actor,
  why: Record<string, unknown> = {},
  /** one of a run (a closure, the stale release): the account's copies of its terms follow the run */
  deferTermsCopy = false,
): Promise<void> {
  assertHomeRegion(read.region, deps.here);
  const { installationId } = read;
  let installation = read;
  // A concurrent change (a deposit granting this installation more capacity, an allocation edit)
  // makes the commit stale: read again so exactly what is allocated goes back to the pool.
  try {
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
            ...(deferTermsCopy && { deferTermsCopy }),
            audit: {
              accountId: installation.accountId,
              at: now,
              eventId: deps.ids.id('evt_'),
              actor,
              action: 'installation.deactivated',
              details: { installationId, released: installation.allocation, ...why },
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
  } catch (error) {
    if (error instanceof CommitRejected) {
      throw new ServiceUnavailableError('The account is changing right now; retry the deactivation.', 1);
    }
    throw error;
  }
}
