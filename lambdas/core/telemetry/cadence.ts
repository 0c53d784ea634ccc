/**
 * The telemetry cadence (DESIGN "One request per cycle"): the agent collects counters every
 * minute and sends one request per cycle; the cycle comes from the cloud in the licence. The
 * agent, the licence, the fleet simulator, the bench and the cost model all read these constants.
 */
import type { CareLevel } from '../licensing/catalogue';

/** How often the agent collects counter beats; inventory beats are sent on change and once a day. */
export const collectEverySeconds = 60;
/** How often an inventory beat is sent when nothing changed. */
export const inventoryRefreshSeconds = 86_400;
/** The default cycle: one request every 15 minutes. */
export const defaultCycleSeconds = 900;
/** Proactive support wants earlier warning for the Care levels that get it first. */
export const careCycleSeconds: Readonly<Record<CareLevel, number>> = { basic: 900, gold: 300, platinum: 300 };
/** The shortest cycle support may set for one installation while investigating. */
export const minimumCycleSeconds = 60;
/** How long a support override of the cycle lasts. */
export const cycleOverrideSeconds = 86_400;
/**
 * How often support's snapshot of the counters is kept (the rules consumer; also with a finding
 * raised and every cycle while support has shortened it): the snapshot may be this old.
 */
export const counterSnapshotSeconds = 6 * 3_600;
/**
 * How often a telemetry request records the installation's last contact (`lastPollAt`, one write
 * in each region's replica): the account page has the exact last beat beside it, so the stamp
 * only has to serve staleness, counted in days. A poll records it hourly.
 */
export const contactStampSeconds = 6 * 3_600;

/** The cycle an installation is told: a live support override, else its best Care level's, else the default. */
export const cycleSeconds = (care: readonly CareLevel[], override?: { seconds: number; until: string }, now?: Date) => {
  if (override && now && Date.parse(override.until) > now.getTime()) return override.seconds;
  return care.reduce((s, level) => Math.min(s, careCycleSeconds[level]), defaultCycleSeconds);
};
