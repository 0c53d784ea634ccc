/**
 * How long the cloud keeps what it holds once it is no longer needed: the periods docs/retention.md
 * tables, read by the closure, the eraser and the stores that write TTL attributes.
 */

/** Closure → erasure of what the privacy policy deletes: time to export, or for the back office to reopen. */
export const ERASE_AFTER_CLOSURE_DAYS = 30;

/** Orders, entitlements and the licence audit of a closed account: contracts and invoices (10 years). */
export const KEEP_LICENSING_RECORDS_YEARS = 10;

/** A resolved finding stays this long after it was resolved, then expires by itself (support table TTL). */
export const RESOLVED_FINDING_DAYS = 180;

/**
 * An installation's snapshots and rules state expire this long after its newest beat: silent that
 * long, it is gone or switched telemetry off, and its state says nothing any more (each batch
 * pushes the expiry forward).
 */
export const SILENT_SUPPORT_DATA_DAYS = 90;

const DAY_MS = 86_400_000;

export const eraseAfterOf = (closedAt: string): string =>
  new Date(Date.parse(closedAt) + ERASE_AFTER_CLOSURE_DAYS * DAY_MS).toISOString();

/** The instant the kept licensing records of an account closed at `closedAt` expire. */
export const keepLicensingRecordsUntil = (closedAt: string): string => {
  const until = new Date(closedAt);
  until.setUTCFullYear(until.getUTCFullYear() + KEEP_LICENSING_RECORDS_YEARS);
  return until.toISOString();
};

/** DynamoDB TTL: epoch seconds `days` after the epoch-ms instant `from`. */
export const ttlAfterDays = (fromMs: number, days: number): number => Math.floor((fromMs + days * DAY_MS) / 1000);
