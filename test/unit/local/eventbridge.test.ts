import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  busNameOf,
  handlePutEvents,
  readEvents,
  signingRegion,
  startLocalEventBridge,
  type LocalEventBridge,
} from '#local/eventbridge';

const authorization =
  'AWS4-HMAC-SHA256 Credential=S3RVER/20260312/eu-central-1/events/aws4_request, SignedHeaders=host;x-amz-target, Signature=abc';
const entry = (overrides: Record<string, unknown> = {}) => ({
  EventBusName: 'ucx-eu-stateful-supporteventbus',
  Source: 'ucx-cloud.proactive-support',
  DetailType: 'Finding opened',
  Detail: JSON.stringify({ eventId: 'e-1', kind: 'opened', finding: { severity: 'critical' } }),
  ...overrides,
});
const request = (body: unknown, extra: Partial<Parameters<typeof handlePutEvents>[0]> = {}) => ({
  target: 'AWSEvents.PutEvents',
  authorization,
  body: Buffer.from(JSON.stringify(body)),
  account: '123456789012',
  now: new Date('2026-03-12T10:00:00.000Z'),
  newId: () => 'event-1',
  ...extra,
});

describe('handlePutEvents', () => {
  it('accepts an entry like EventBridge: an EventId per entry, the event with its bus, parsed detail, time and region', () => {
    // Act
    const result = handlePutEvents(request({ Entries: [entry()] }));

    // Assert
    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
    expect(result.events).toEqual([
      {
        id: 'event-1',
        busName: 'ucx-eu-stateful-supporteventbus',
        source: 'ucx-cloud.proactive-support',
        detailType: 'Finding opened',
        detail: { eventId: 'e-1', kind: 'opened', finding: { severity: 'critical' } },
        time: '2026-03-12T10:00:00.000Z',
        region: 'eu-central-1',
        account: '123456789012',
        resources: [],
      },
    ]);
  });

  it('fails a bad entry alone, as EventBridge does, and counts it', () => {
    // Arrange
    const entries = [entry(), entry({ Detail: 'not json' }), entry({ Source: undefined }), entry({ Detail: '[1]' })];

    // Act
    const result = handlePutEvents(request({ Entries: entries }));

    // Assert
    expect(result.body).toEqual({
      FailedEntryCount: 3,
      Entries: [
        { EventId: 'event-1' },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
        { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source and DetailType are required' },
        { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      ],
    });
    expect(result.events).toHaveLength(1);
  });

  it.each([
    [{ target: 'AWSEvents.ListRules' }, { Entries: [entry()] }, 'UnknownOperationException'],
    [{ authorization: undefined }, { Entries: [entry()] }, 'MissingAuthenticationTokenException'],
    [{}, { Entries: [] }, 'ValidationException'],
    [{}, { Entries: Array.from({ length: 11 }, () => entry()) }, 'ValidationException'],
  ])('refuses the whole request %j with %j as a 400 %s', (extra, body, type) => {
    // Act
    const result = handlePutEvents(request(body, extra));

    // Assert
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({ __type: type });
    expect(result.events).toEqual([]);
  });

  it('takes the bus from a name or an ARN, the default bus when none, and the region from the credential scope', () => {
    expect(busNameOf('arn:aws:events:us-east-1:123456789012:event-bus/my-bus')).toBe('my-bus');
    expect(busNameOf('my-bus')).toBe('my-bus');
    expect(busNameOf(undefined)).toBe('default');
    expect(signingRegion(authorization)).toBe('eu-central-1');
    expect(signingRegion('Bearer x')).toBeUndefined();
  });
});

describe('the local EventBridge endpoint', () => {
  let dataDir: string;
  let eventBridge: LocalEventBridge;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ucx-eventbridge-'));
    eventBridge = await startLocalEventBridge({
      port: 0,
      dataDir,
      account: '123456789012',
      knownBuses: new Set(['bus-eu', 'bus-us']),
    });
  });
  afterEach(async () => {
    await eventBridge.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers the AWS SDK's PutEvents and keeps each event in <dataDir>/events/<bus>.jsonl with its region", async () => {
    // Arrange
    const client = (region: string) =>
      new EventBridgeClient({
        endpoint: eventBridge.endpoint,
        region,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
    const eu = client('eu-central-1');
    const us = client('us-east-1');

    // Act
    const out = await eu.send(
      new PutEventsCommand({
        Entries: [entry({ EventBusName: 'bus-eu' }), entry({ EventBusName: 'bus-eu', DetailType: 'Finding resolved' })],
      }),
    );
    await us.send(
      new PutEventsCommand({
        Entries: [entry({ EventBusName: 'arn:aws:events:us-east-1:123456789012:event-bus/bus-us' })],
      }),
    );
    eu.destroy();
    us.destroy();

    // Assert
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.map((e) => typeof e.EventId)).toEqual(['string', 'string']);
    const euEvents = readEvents(dataDir, ['bus-eu']);
    expect(euEvents.map((e) => [e.busName, e.detailType, e.region, e.id])).toEqual([
      ['bus-eu', 'Finding opened', 'eu-central-1', out.Entries?.[0]?.EventId],
      ['bus-eu', 'Finding resolved', 'eu-central-1', out.Entries?.[1]?.EventId],
    ]);
    expect(readEvents(dataDir, ['bus-eu'], { detailType: 'Finding resolved' })).toHaveLength(1);
    expect(readEvents(dataDir, ['bus-us']).map((e) => [e.busName, e.region])).toEqual([['bus-us', 'us-east-1']]);
    expect(readEvents(dataDir, ['bus-eu', 'bus-us'], { region: 'us-east-1' })).toHaveLength(1);
  });
});
