/** An installation's last licence poll in words. The cloud records a poll at most once an hour, so it is shown to the hour. */

const HOUR_MS = 3_600_000;

export function lastPollText(lastPollAt: string | null | undefined, now: Date): string {
  const at = lastPollAt ? Date.parse(lastPollAt) : Number.NaN;
  if (Number.isNaN(at)) return 'never';
  const hours = Math.floor((now.getTime() - at) / HOUR_MS);
  if (hours < 1) return 'within the hour';
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}
