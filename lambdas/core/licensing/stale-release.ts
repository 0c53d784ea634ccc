/**
 * Automatic release of stale installations, an account's opt-in: what the scheduled job does for
 * one installation at an instant. Administrators are told first (a notice), and a release never
 * comes sooner than NOTICE_DAYS after the notice for the same silence, so nothing is released
 * unannounced, even on an account that opts in with installations already long silent.
 */
import * as z from 'zod/mini';
import { NotFoundError } from '../errors';
import { assertAccountAccess, assertMayAddressAccount, type Principal } from './access';
import type { Region } from './catalogue';
import type { LicensingDeps } from './deps';
import { assertHomeRegion, isHomeRegion } from './home-region';
import type { AuditEvent, Installation } from './model';
import { lastHeardAt, type StaleInput } from './stale';

/** Days between the notice to administrators and the release. */
export const AUTO_RELEASE_NOTICE_DAYS = 7;

const DAY_MS = 86_400_000;

/** The days an account that never chose is offered (the setting is off until it opts in). */
export const DEFAULT_AUTO_RELEASE_DAYS = 60;

/** An account's setting; absent: off. */
export const autoReleaseSettingSchema = z.strictObject({
  enabled: z.boolean(),
  /** days of silence after which an installation is released; the notice goes out NOTICE_DAYS before */
  afterDays: z.int().check(z.gte(AUTO_RELEASE_NOTICE_DAYS * 2), z.lte(365)),
});
export type AutoReleaseSetting = z.infer<typeof autoReleaseSettingSchema>;

export type AutoReleaseStep =
  | { readonly kind: 'none' }
  /** tell the administrators; the installation is released at `releaseAt` unless it polls again */
  | { readonly kind: 'notice'; readonly releaseAt: string }
  | { readonly kind: 'release' };

/**
 * The step due for one installation at `now`. `noticedAt`: the last notice recorded for it, if
 * any; one older than its last poll belongs to an earlier silence and does not count.
 */
export function autoReleaseStep(
  installation: StaleInput,
  setting: AutoReleaseSetting | undefined,
  now: number,
  noticedAt?: string,
): AutoReleaseStep {
  if (!setting?.enabled || installation.status !== 'active') return { kind: 'none' };
  const heard = Date.parse(lastHeardAt(installation));
  const releaseDue = heard + setting.afterDays * DAY_MS;
  const noticeDue = releaseDue - AUTO_RELEASE_NOTICE_DAYS * DAY_MS;
  const noticed = noticedAt !== undefined && Date.parse(noticedAt) > heard ? Date.parse(noticedAt) : undefined;
  if (noticed === undefined) {
    if (now < noticeDue) return { kind: 'none' };
    return {
      kind: 'notice',
      releaseAt: new Date(Math.max(releaseDue, now + AUTO_RELEASE_NOTICE_DAYS * DAY_MS)).toISOString(),
    };
  }
  return now >= Math.max(releaseDue, noticed + AUTO_RELEASE_NOTICE_DAYS * DAY_MS)
    ? { kind: 'release' }
    : { kind: 'none' };
}

/** An account's stored setting, with the notices given for its installations' current silences. */
export interface StaleReleaseRecord extends AutoReleaseSetting {
  readonly accountId: string;
  /** the account's home region: each region's job handles the accounts homed there */
  readonly region: Region;
  /** installation id → when its administrators were last told it will be released */
  readonly notices: Readonly<Record<string, string>>;
}

/** Where the settings live: apart from the account partition, one small item per opted-in account. */
export interface StaleReleaseStore {
  get(accountId: string): Promise<StaleReleaseRecord | null>;
  /** writes the setting (keeping the notices) with its audit event */
  putSetting(record: Omit<StaleReleaseRecord, 'notices'>, audit: AuditEvent): Promise<void>;
  /** the enabled settings of accounts homed in `region` */
  listEnabled(region: Region): Promise<StaleReleaseRecord[]>;
  /** records a notice with its audit event, in one write */
  recordNotice(accountId: string, installationId: string, at: string, audit: AuditEvent): Promise<void>;
}

/** `PATCH /v1/accounts/{accountId}/stale-release`: the account's administrators, its reseller or back office. */
export async function setStaleRelease(
  deps: LicensingDeps,
  store: StaleReleaseStore,
  principal: Principal,
  accountId: string,
  body: AutoReleaseSetting,
): Promise<AutoReleaseSetting> {
  assertMayAddressAccount(principal, accountId);
  const state = await deps.repo.getAccountState(accountId);
  assertAccountAccess(principal, state?.account, 'manage');
  if (!state) throw new NotFoundError(`Account ${accountId} does not exist.`);
  assertHomeRegion(state.account.region, deps.here);
  const now = deps.clock.now().toISOString();
  await store.putSetting(
    { accountId, region: state.account.region, ...body },
    {
      accountId,
      at: now,
      eventId: deps.ids.id('evt_'),
      actor: { kind: principal.role, id: principal.sub },
      action: body.enabled ? 'stale-release.enabled' : 'stale-release.disabled',
      details: { ...body },
    },
  );
  return body;
}

export interface StaleReleaseRun {
  readonly accounts: number;
  readonly noticed: number;
  readonly released: number;
}

/**
 * The scheduled step over every opted-in account homed here: notices due are given (audited
 * `installation.stale-notice`), releases due are made by actor `system` (audited
 * `installation.deactivated`, reason `stale-release`). Running it again changes nothing more.
 */
export async function runStaleRelease(
  deps: LicensingDeps,
  store: StaleReleaseStore,
  release: (installation: Installation) => Promise<void>,
): Promise<StaleReleaseRun> {
  const records = await store.listEnabled(deps.here.region);
  let noticed = 0;
  let released = 0;
  for (const record of records) {
    const state = await deps.repo.getAccountState(record.accountId);
    if (!state || !isHomeRegion(state.account.region, deps.here)) continue;
    const active = state.installations.filter((i) => i.status === 'active');
    if (active.length === 0) continue;
    const lastPolls = await deps.repo.getLastPolls(active.map((i) => i.installationId));
    for (const summary of active) {
      const now = deps.clock.now();
      const lastPollAt = lastPolls.get(summary.installationId) ?? null;
      const step = autoReleaseStep(
        { ...summary, lastPollAt },
        record,
        now.getTime(),
        record.notices[summary.installationId],
      );
      if (step.kind === 'notice') {
        await store.recordNotice(record.accountId, summary.installationId, now.toISOString(), {
          accountId: record.accountId,
          at: now.toISOString(),
          eventId: deps.ids.id('evt_'),
          actor: { kind: 'system', id: 'stale-release' },
          action: 'installation.stale-notice',
          details: {
            installationId: summary.installationId,
            lastHeardAt: lastHeardAt({ ...summary, lastPollAt }),
            releaseAt: step.releaseAt,
          },
        });
        noticed++;
      } else if (step.kind === 'release') {
        const installation = await deps.repo.getInstallation(summary.installationId);
        if (installation?.status !== 'active') continue;
        await release(installation);
        released++;
      }
    }
  }
  return { accounts: records.length, noticed, released };
}
