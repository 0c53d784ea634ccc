/**
 * The fleet's facts of a batch (suite version, SQL edition from its inventory beats) are written a
 * bounded number at a time: a batch of first or daily posts carries them for up to 100
 * installations, and all at once their writes queued for sockets past their deadline (the bench's
 * fleet logged "fleet facts not kept" under load). A failure is logged once, never thrown.
 */
import type { InstallationOutcome } from '#lambdas/core/rules/process-batch';
import type { StreamBatchBeat } from '#lambdas/core/rules/evaluate-installations';
import { CALLS_AT_ONCE } from '#lambdas/core/settle-limited';
import type { InstallationFacts } from '#lambdas/core/support/fleet-overview';
import { keepFleetFacts } from '#lambdas/shared/rules-invocation';
import { logger } from '#lambdas/shared/powertools';
import { evaluatedOutcome } from '#test/support/rules-harness';
import { beatId, validBeat } from '#test/support/telemetry-fixtures';

const NOW = Date.parse('2026-03-02T10:00:00.000Z');

function batchOf(installations: number): { beats: StreamBatchBeat[]; outcomes: InstallationOutcome[] } {
  const ids = Array.from({ length: installations }, (_, i) => `inst_facts${String(i).padStart(10, '0')}`);
  return {
    beats: ids.map((installationId, i) => ({
      installationId,
      beat: { ...validBeat('ucx.suite', beatId(i + 1)), data: { ...validBeat('ucx.suite').data, version: '2025.4.1' } },
      shardId: 'shardId-000000000000',
      sequenceNumber: String(i),
    })) as StreamBatchBeat[],
    outcomes: ids.map(evaluatedOutcome),
  };
}

describe('keepFleetFacts', () => {
  it(`writes every installation's facts, at most ${CALLS_AT_ONCE} at once`, async () => {
    const { beats, outcomes } = batchOf(100);
    let inFlight = 0;
    let most = 0;
    const written: InstallationFacts[] = [];
    await keepFleetFacts(beats, outcomes, NOW, {
      putFacts: async (facts) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        written.push(facts);
      },
    });
    expect(written).toHaveLength(100);
    expect(written.every((f) => f.suiteVersion === '2025.4.1')).toBe(true);
    expect(most).toBe(CALLS_AT_ONCE);
  });

  it('logs the failures once, with how many, and writes the others', async () => {
    const { beats, outcomes } = batchOf(40);
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    let written = 0;
    await keepFleetFacts(beats, outcomes, NOW, {
      putFacts: async (facts) => {
        if (facts.installationId.endsWith('7')) throw new Error('The database did not answer in time');
        written++;
      },
    });
    expect(written).toBe(36);
    expect(error).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalledWith('fleet facts not kept', expect.objectContaining({ installations: 4, of: 40 }));
    error.mockRestore();
  });
});
