/**
 * The rules handler's failure report: an installation whose evaluation fails reports each of its
 * records once (a record carries a whole agent batch), so Kinesis retries from there. The licence
 * source is replaced by one that fails, the fault the real stores cannot be made to produce here.
 */
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import {
  encodeBatch,
  type BatchHeader,
  type RecordLicence,
  type StreamBeat,
} from '#lambdas/core/telemetry/stream-record';
import { validBeatOfEveryType } from '#test/support/telemetry-fixtures';

const mockLicenceReads: string[] = [];
jest.mock('#lambdas/shared/stream-rules-deps', () => ({
  streamRulesDeps: () => ({
    store: {},
    bus: { publish: async () => undefined },
    licences: {
      factsFor: async (installationId: string) => {
        mockLicenceReads.push(installationId);
        throw new Error('licensing store down');
      },
    },
    rules: [],
  }),
}));

import { handler } from '#lambdas/handlers/evaluate-rules';

const licence: RecordLicence = {
  v: 1,
  etag: '"lic-1"',
  products: [{ product: 'ivr', capacity: 2, kind: 'perpetual' }],
  nodes: ['UCX-NODE-1'],
  telemetry: { enabled: true, intervalSeconds: 900 },
};
const header = (installationId: string, withFacts = false): BatchHeader => ({
  installation_id: installationId,
  account_id: 'acc_abc12345',
  region: 'eu',
  received_at: '2026-03-02T10:00:00.000Z',
  catalogue: 'v1',
  ...(withFacts ? { licence } : {}),
});
const beats = (): StreamBeat[] =>
  validBeatOfEveryType().map((b) => ({
    beat_id: b.id,
    type: b.type,
    collected_at: b.collectedAt,
    data: b.data as Record<string, unknown>,
  }));

function kinesisEvent(
  records: { installationId: string; sequenceNumber: string; withFacts?: boolean }[],
): KinesisStreamEvent {
  return {
    Records: records.map(({ installationId, sequenceNumber, withFacts }) => {
      const [data] = encodeBatch(header(installationId, withFacts), beats(), {
        partitionKeyBytes: installationId.length,
      }).records;
      return {
        eventID: `shardId-000000000000:${sequenceNumber}`,
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventName: 'aws:kinesis:record',
        eventSourceARN: 'arn:aws:kinesis:eu-central-1:000000000000:stream/telemetry',
        awsRegion: 'eu-central-1',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/rules',
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: installationId,
          sequenceNumber,
          data: Buffer.from(data!).toString('base64'),
          approximateArrivalTimestamp: 1_772_445_600,
        },
      };
    }),
  };
}

describe('evaluate-rules handler', () => {
  it('reports each record of a failed installation once, however many beats it carries', async () => {
    // Arrange: two records (two agent batches) of one installation, each with a beat of every type
    const event = kinesisEvent([
      { installationId: 'inst_abc12345', sequenceNumber: '101' },
      { installationId: 'inst_abc12345', sequenceNumber: '102' },
    ]);
    expect(beats().length).toBeGreaterThan(1);

    // Act
    const response = await handler(event, { functionName: 'rules' } as Context);

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '101' }, { itemIdentifier: '102' }]);
  });

  it("reads the licence only for an installation whose records do not carry its facts (an older ingest's)", async () => {
    // Arrange
    mockLicenceReads.length = 0;
    const event = kinesisEvent([
      { installationId: 'inst_facts001', sequenceNumber: '201', withFacts: true },
      { installationId: 'inst_older001', sequenceNumber: '202' },
    ]);

    // Act
    await handler(event, { functionName: 'rules' } as Context);

    // Assert
    expect(mockLicenceReads).toEqual(['inst_older001']);
  });

  it("reports only this invocation's failures, none left over from an earlier one in the same sandbox", async () => {
    // Arrange: an invocation that failed first (Powertools' default response is shared module state)
    await handler(kinesisEvent([{ installationId: 'inst_abc12345', sequenceNumber: '301' }]), {
      functionName: 'rules',
    } as Context);

    // Act
    const response = await handler(kinesisEvent([{ installationId: 'inst_abc12345', sequenceNumber: '302' }]), {
      functionName: 'rules',
    } as Context);

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '302' }]);
  });
});
