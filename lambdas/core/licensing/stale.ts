/**
 * Stale installations: an active installation that has not polled its licence for
 * `staleAfterDays` (counted from its activation if it never polled) is shown as stale, so a
 * server reinstalled without deactivating can have its licences released.
 */

/** Days of silence after which an active installation is stale, unless configured otherwise. */
export const DEFAULT_STALE_AFTER_DAYS = 30;

const DAY_MS = 86_400_000;

export interface StaleInput {
  readonly status: 'active' | 'deactivated';
  readonly activatedAt: string;
  /** the start of the hour of its last licence poll; null: it never polled */
  readonly lastPollAt: string | null;
}

/** When the installation was last heard from: its last poll, or its activation if it never polled. */
export function lastHeardAt(installation: Pick<StaleInput, 'activatedAt' | 'lastPollAt'>): string {
  return installation.lastPollAt ?? installation.activatedAt;
}

/** Whole milliseconds of silence at `now`. */
export function silenceMs(installation: Pick<StaleInput, 'activatedAt' | 'lastPollAt'>, now: number): number {
  return now - Date.parse(lastHeardAt(installation));
}

/**
 * Stale: active and silent for more than `staleAfterDays` at `now`. Exactly `staleAfterDays` of
 * silence is not yet stale; a deactivated installation is never stale (it holds no licences).
 */
export function isStale(installation: StaleInput, now: number, staleAfterDays = DEFAULT_STALE_AFTER_DAYS): boolean {
  return installation.status === 'active' && silenceMs(installation, now) > staleAfterDays * DAY_MS;
}
