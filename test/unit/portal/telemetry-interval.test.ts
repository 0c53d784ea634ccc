import { intervalText } from '#portal/src/pages/telemetry-interval';

describe("support's telemetry cycle on the installation page", () => {
  it('says how often and until when the installation sends', () => {
    const text = intervalText({ installationId: 'inst_1', seconds: 60, until: '2026-03-03T09:00:00.000Z' });

    expect(text).toBe('Sending every 1 min until 2026-03-03 09:00 UTC (from the agent’s next cycle).');
  });

  it('counts a cycle that is not whole minutes in seconds', () => {
    expect(intervalText({ installationId: 'inst_1', seconds: 90, until: '2026-03-03T09:00:00.000Z' })).toMatch(
      /^Sending every 90 s until/,
    );
  });
});
