/**
 * Support's telemetry cycle for one installation (DESIGN "One request per cycle"): while
 * investigating, support has it send every 1 to 15 minutes for a day. Stored on the installation
 * (its rev goes up, so its licence is rebuilt with the new `telemetry.intervalSeconds` and a new
 * ETag, which the agent learns from its next telemetry 202); the licence goes back to the Care
 * level's cycle by itself when the override ends (its `validUntil`).
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { GoneError, NotFoundError, ServiceUnavailableError } from '../errors';
import { cycleOverrideSeconds, defaultCycleSeconds, minimumCycleSeconds } from '../telemetry/cadence';
import { assertRole, type Principal } from './access';
import { retryStale, type LicensingDeps } from './deps';
import { assertHomeRegion } from './home-region';
import type { Installation, TelemetryOverride } from './model';
import { CommitRejected } from './repository';

export const telemetryIntervalBodySchema = z.strictObject({
  seconds: withMeta(z.int().check(z.gte(minimumCycleSeconds), z.lte(defaultCycleSeconds)), {
    description: 'seconds between the installation’s telemetry requests',
  }),
});
export type TelemetryIntervalBody = z.infer<typeof telemetryIntervalBodySchema>;

export const telemetryIntervalSchema = withMeta(
  z.object({
    installationId: z.string(),
    seconds: z.int(),
    until: withMeta(z.string(), { description: 'when the installation goes back to its Care level’s cycle' }),
  }),
  { id: 'TelemetryInterval', description: 'Support’s telemetry cycle for one installation.' },
);
export type TelemetryInterval = z.infer<typeof telemetryIntervalSchema>;

/** `PUT`: the cycle for cycleOverrideSeconds from now (again: from now again). */
export async function setTelemetryInterval(
  deps: LicensingDeps,
  principal: Principal,
  installationId: string,
  body: TelemetryIntervalBody,
): Promise<TelemetryInterval> {
  assertRole(principal, 'support');
  return commitOverride(deps, principal, installationId, (now) => ({
    seconds: body.seconds,
    until: new Date(now.getTime() + cycleOverrideSeconds * 1000).toISOString(),
  })) as Promise<TelemetryInterval>;
}

/** `DELETE`: back to the Care level's cycle now; nothing to end (none, or already over) writes nothing. */
export async function endTelemetryInterval(
  deps: LicensingDeps,
  principal: Principal,
  installationId: string,
): Promise<void> {
  assertRole(principal, 'support');
  await commitOverride(deps, principal, installationId, () => undefined);
}

async function commitOverride(
  deps: LicensingDeps,
  principal: Principal,
  installationId: string,
  overrideAt: (now: Date) => TelemetryOverride | undefined,
): Promise<TelemetryInterval | undefined> {
  try {
    return await retryStale(
      async () => {
        const installation = await deps.repo.getInstallation(installationId);
        if (!installation) throw new NotFoundError(`Installation ${installationId} does not exist.`);
        assertHomeRegion(installation.region, deps.here);
        if (installation.status !== 'active') {
          throw new GoneError(`Installation ${installationId} was deactivated.`);
        }
        const now = deps.clock.now();
        const override = overrideAt(now);
        if (!override && !isLive(installation, now)) return undefined;
        await deps.repo.commitTelemetryOverride({
          installation,
          ...(override && { override }),
          audit: {
            accountId: installation.accountId,
            at: now.toISOString(),
            eventId: deps.ids.id('evt_'),
            actor: { kind: principal.role, id: principal.sub },
            action: override ? 'telemetry.interval-set' : 'telemetry.interval-ended',
            details: { installationId, ...(override ?? {}) },
          },
        });
        return override && { installationId, ...override };
      },
      (e) => e instanceof CommitRejected && e.reason === 'stale',
    );
  } catch (error) {
    if (error instanceof CommitRejected)
      throw new ServiceUnavailableError('The installation is changing right now; retry.', 1);
    throw error;
  }
}

const isLive = (installation: Installation, now: Date) =>
  installation.telemetryOverride !== undefined && Date.parse(installation.telemetryOverride.until) > now.getTime();
