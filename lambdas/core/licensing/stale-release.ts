/**
 * Automatic release of stale installations, an account's opt-in: what the scheduled job does for
 * one installation at an instant. Administrators are told first (a notice), and a release never
 * comes sooner than NOTICE_DAYS after the notice for the same silence, so nothing is released
 * unannounced, even on an account that opts in with installations already long silent.
 */
import * as z from 'zod';
import { lastHeardAt, type StaleInput } from './stale';

/** Days between the notice to administrators and the release. */
export const AUTO_RELEASE_NOTICE_DAYS = 7;

const DAY_MS = 86_400_000;

/** An account's setting; absent: off. */
export const autoReleaseSettingSchema = z
  .object({
    enabled: z.boolean(),
    /** days of silence after which an installation is released; the notice goes out NOTICE_DAYS before */
    afterDays: z
      .number()
      .int()
      .min(AUTO_RELEASE_NOTICE_DAYS * 2)
      .max(365),
  })
  .strict();
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
