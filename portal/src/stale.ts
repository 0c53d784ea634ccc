/** The words for a stale installation: the cloud decides what is stale (`stale` on the account answer), the portal says it. */

export interface StaleShown {
  readonly status: string;
  readonly activatedAt: string;
  readonly lastPollAt?: string | null;
  readonly stale?: boolean;
}

/** The day it was last heard from: its last poll, or its activation if it never polled. */
export function lastHeardDay(installation: Pick<StaleShown, 'activatedAt' | 'lastPollAt'>): string {
  return (installation.lastPollAt ?? installation.activatedAt).slice(0, 10);
}

/** The notice a stale installation's row carries; null for any other. */
export function staleNoticeText(installation: StaleShown): string | null {
  if (installation.status !== 'active' || installation.stale !== true) return null;
  return `Not heard from since ${lastHeardDay(installation)}: if this server was reinstalled or retired, release its licences.`;
}

/** The Installations section's banner when some are stale: how many, and what to do. Null when none. */
export function staleBannerText(installations: readonly StaleShown[]): string | null {
  const stale = installations.filter((i) => staleNoticeText(i) !== null).length;
  if (stale === 0) return null;
  const which = stale === 1 ? '1 installation has' : `${stale} installations have`;
  return `${which} not been heard from for a long time and still hold licences. If a server was reinstalled or retired, release its licences below.`;
}

/** The automatic release as it stands, in words. */
export function autoReleaseText(setting: { readonly enabled: boolean; readonly afterDays: number }): string {
  return setting.enabled
    ? `Automatic release is on: an installation not heard from for ${setting.afterDays} days is released; the audit log carries a notice 7 days before.`
    : 'Automatic release is off: stale installations keep their licences until someone releases them.';
}
