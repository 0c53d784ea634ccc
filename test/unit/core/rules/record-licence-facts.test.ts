import type { LicenceFactsSource } from '#lambdas/core/rules/ports';
import { RecordLicenceFacts } from '#lambdas/core/rules/record-licence-facts';
import type { LicenceFacts } from '#lambdas/core/rules/rule';
import type { BatchHeader, RecordLicence } from '#lambdas/core/telemetry/stream-record';
import { FixedClock, T0 } from '#test/support/licensing-fixtures';

const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();
const licence = (capacity: number, careEnds = at(60 * 24)): RecordLicence => ({
  v: 1,
  etag: `"lic-${capacity}"`,
  products: [{ product: 'ivr', capacity, kind: 'perpetual', care: { level: 'platinum', expiresAt: careEnds } }],
  nodes: ['UCX-NODE-1'],
  telemetry: { enabled: true, intervalSeconds: 300 },
});
const header = (installationId: string, receivedAt: string, facts?: RecordLicence): BatchHeader => ({
  installation_id: installationId,
  account_id: 'acc_00000001',
  region: 'eu',
  received_at: receivedAt,
  catalogue: 'v1',
  ...(facts ? { licence: facts } : {}),
});

/** The licence read the records spare: counts its reads. */
class CountingLicenceRead implements LicenceFactsSource {
  readonly reads: string[] = [];
  async factsFor(installationId: string): Promise<LicenceFacts | undefined> {
    this.reads.push(installationId);
    return undefined;
  }
}

describe('RecordLicenceFacts', () => {
  it('gives the facts a record carries without reading the licence, Care judged now', async () => {
    // Arrange
    const read = new CountingLicenceRead();
    const facts = new RecordLicenceFacts(read, new FixedClock(T0));
    facts.add(header('inst_00000001', at(-1), licence(5)));

    // Act
    const got = await facts.factsFor('inst_00000001');

    // Assert
    expect(read.reads).toEqual([]);
    expect(got).toEqual({
      installationId: 'inst_00000001',
      accountId: 'acc_00000001',
      careLevel: 'platinum',
      products: licence(5).products,
      activatedNodes: ['UCX-NODE-1'],
      telemetryEnabled: true,
      telemetryIntervalSeconds: 300,
    });
  });

  it('takes the newest record of an installation, whatever the order they were added in', async () => {
    // Arrange
    const facts = new RecordLicenceFacts(new CountingLicenceRead(), new FixedClock(T0));
    facts.add(header('inst_00000001', at(-10), licence(5)));
    facts.add(header('inst_00000001', at(-5), licence(7)));
    facts.add(header('inst_00000001', at(-8), licence(6)));

    // Act
    const got = await facts.factsFor('inst_00000001');

    // Assert
    expect(got?.products[0]?.capacity).toBe(7);
  });

  it('reads the licence only for an installation whose records carry no facts', async () => {
    // Arrange
    const read = new CountingLicenceRead();
    const facts = new RecordLicenceFacts(read, new FixedClock(T0));
    facts.add(header('inst_00000001', at(-1), licence(5)));
    facts.add(header('inst_00000002', at(-1)));

    // Act
    await facts.factsFor('inst_00000001');
    const older = await facts.factsFor('inst_00000002');

    // Assert
    expect(read.reads).toEqual(['inst_00000002']);
    expect(older).toBeUndefined();
  });

  it('serves a customer whose Care ended after ingest as one without Care', async () => {
    // Arrange: Care ended a minute ago, the record was written before that
    const facts = new RecordLicenceFacts(new CountingLicenceRead(), new FixedClock(T0));
    facts.add(header('inst_00000001', at(-5), licence(5, at(-1))));

    // Act
    const got = await facts.factsFor('inst_00000001');

    // Assert
    expect(got?.careLevel).toBe('none');
  });
});
