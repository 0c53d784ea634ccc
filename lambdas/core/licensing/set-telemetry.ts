/**
 * The account's telemetry switch (on by default). Changing it writes the account item alone (its
 * termsRev goes up), so it goes through for any number of installations: each one's next poll
 * re-issues its licence, and its telemetry is refused or accepted by the switch as it is now.
 */
import * as z from 'zod/mini';
import { NotFoundError, ServiceUnavailableError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from './access';
import { assertAccountOpen } from './account-open';
import type { LicensingDeps } from './deps';
import { retryStale } from './deps';
import { assertHomeRegion } from './home-region';
import { CommitRejected } from './repository';

export const telemetrySwitchBodySchema = z.strictObject({ enabled: z.boolean() });
export type TelemetrySwitchBody = z.infer<typeof telemetrySwitchBodySchema>;

export async function setTelemetry(
  deps: LicensingDeps,
  principal: Principal,
  accountId: string,
  body: TelemetrySwitchBody,
): Promise<{ enabled: boolean }> {
  assertMayAddressAccount(principal, accountId);
  try {
    return await retryStale(
      async () => {
        const state = await deps.repo.getAccountState(accountId);
        assertAccountAccess(principal, state?.account, 'manage');
        if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
        assertHomeRegion(state.account.region, deps.here);
        assertAccountOpen(state.account);
        if (state.account.telemetryEnabled === body.enabled) return { enabled: body.enabled };
        const now = deps.clock.now().toISOString();
        await deps.repo.commitTelemetrySwitch({
          accountId,
          enabled: body.enabled,
          expectedInstallSeq: state.account.installSeq,
          expectedTermsRev: state.account.termsRev,
          audit: {
            accountId,
            at: now,
            eventId: deps.ids.id('evt_'),
            actor: { kind: principal.role, id: principal.sub },
            action: body.enabled ? 'telemetry.enabled' : 'telemetry.disabled',
            details: { enabled: body.enabled },
          },
        });
        return { enabled: body.enabled };
      },
      (e) => e instanceof CommitRejected && e.reason === 'stale',
    );
  } catch (error) {
    if (error instanceof CommitRejected)
      throw new ServiceUnavailableError('The account is changing right now; retry.', 1);
    throw error;
  }
}
