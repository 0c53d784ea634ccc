/** An installation's telemetry in words, for the account page's installations table. */

/** The telemetry-silent rule's defaults (PROACTIVE-RULES.md): a warning after 3 h, critical after 24 h. */
const SILENT_WARNING_MS = 3 * 3_600_000;
const SILENT_CRITICAL_MS = 24 * 3_600_000;

export type TelemetryStatus = 'off' | 'none' | 'sending' | 'silent' | 'long-silent' | 'inactive';

export const telemetryStatusText: Record<TelemetryStatus, string> = {
  off: 'off (switched off for the account)',
  none: 'no beat yet',
  sending: 'sending',
  silent: 'silent for over 3 h',
  'long-silent': 'silent for over 24 h',
  inactive: '—',
};

export function telemetryStatus(
  installation: { status: string; lastBeatAt: string | null | undefined },
  accountTelemetryEnabled: boolean,
  now: Date,
): TelemetryStatus {
  if (installation.status !== 'active') return 'inactive';
  if (!accountTelemetryEnabled) return 'off';
  if (!installation.lastBeatAt) return 'none';
  const silentMs = now.getTime() - new Date(installation.lastBeatAt).getTime();
  if (silentMs > SILENT_CRITICAL_MS) return 'long-silent';
  return silentMs > SILENT_WARNING_MS ? 'silent' : 'sending';
}
