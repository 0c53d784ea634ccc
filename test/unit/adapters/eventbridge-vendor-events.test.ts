import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventBridgeVendorEvents } from '#lambdas/adapters/eventbridge-vendor-events';
import type { AuditEvent } from '#lambdas/core/licensing/model';

const audit = (eventId: string): AuditEvent => ({
  accountId: 'acc_abcdefgh12',
  at: '2026-03-02T09:00:00.000Z',
  eventId,
  actor: { kind: 'customer', id: 'sub-1' },
  action: 'terms.accepted',
  details: { version: 2 },
});

/** A bus that rejects the entries `reject` names (by eventId) on every attempt, and records what it was sent. */
function bus(reject: (eventId: string) => boolean) {
  const sent: { DetailType?: string; Detail?: string; EventBusName?: string }[][] = [];
  return {
    sent,
    client: {
      send: async (command: PutEventsCommand) => {
        const entries = command.input.Entries ?? [];
        sent.push(entries);
        return {
          Entries: entries.map((e) =>
            reject(JSON.parse(e.Detail ?? '{}').eventId) ? { ErrorCode: 'InternalFailure' } : { EventId: 'x' },
          ),
        };
      },
    },
  };
}

function recordingLog() {
  const lines: { level: string; message: string; details: Record<string, unknown> }[] = [];
  return {
    lines,
    error: (message: string, details: Record<string, unknown>) => lines.push({ level: 'error', message, details }),
    warn: (message: string, details: Record<string, unknown>) => lines.push({ level: 'warn', message, details }),
  };
}

describe('EventBridgeVendorEvents', () => {
  it('puts the mapped events on the named bus, ten per request', async () => {
    const target = bus(() => false);
    const log = recordingLog();
    const events = new EventBridgeVendorEvents('vendor-bus', target.client as never, log);

    await events.publish(Array.from({ length: 12 }, (_, n) => audit(`evt_${n}`)));

    expect(target.sent.map((batch) => batch.length)).toEqual([10, 2]);
    expect(target.sent[0]![0]).toMatchObject({ EventBusName: 'vendor-bus', DetailType: 'Terms Accepted' });
    expect(log.lines).toEqual([]);
  });

  it('retries rejected entries twice, then logs them and does not throw (the write is done)', async () => {
    const target = bus((eventId) => eventId === 'evt_bad');
    const log = recordingLog();
    const events = new EventBridgeVendorEvents('vendor-bus', target.client as never, log);

    await events.publish([audit('evt_ok'), audit('evt_bad')]);

    expect(target.sent.map((batch) => batch.length)).toEqual([2, 1, 1]);
    expect(log.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'vendor events not published',
        details: expect.objectContaining({ events: [expect.objectContaining({ detailType: 'Terms Accepted' })] }),
      }),
    ]);
  });

  it('survives a bus that throws', async () => {
    const log = recordingLog();
    const events = new EventBridgeVendorEvents(
      'vendor-bus',
      { send: async () => Promise.reject(new Error('throttled')) } as never,
      log,
    );

    await expect(events.publish([audit('evt_1')])).resolves.toBeUndefined();
    expect(log.lines.map((l) => l.level)).toEqual(['error']);
  });
});
