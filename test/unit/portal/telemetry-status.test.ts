import { telemetryStatus } from '#portal/src/telemetry-status';

const now = new Date('2026-01-02T00:00:00Z');
const active = (lastBeatAt: string | null) => ({ status: 'active', lastBeatAt });

describe('telemetryStatus', () => {
  it('grades an active installation by the time since its last beat, as the telemetry-silent rule does', () => {
    expect(telemetryStatus(active('2026-01-01T23:00:00Z'), true, now)).toBe('sending');
    expect(telemetryStatus(active('2026-01-01T20:00:00Z'), true, now)).toBe('silent');
    expect(telemetryStatus(active('2025-12-31T23:00:00Z'), true, now)).toBe('long-silent');
    expect(telemetryStatus(active(null), true, now)).toBe('none');
  });

  it('says off when the account switched telemetry off, and nothing for a deactivated installation', () => {
    expect(telemetryStatus(active('2026-01-01T23:00:00Z'), false, now)).toBe('off');
    expect(telemetryStatus({ status: 'deactivated', lastBeatAt: null }, true, now)).toBe('inactive');
  });
});
