/** Finding notifications onto the region's EventBridge bus (support's routing hangs off it). */
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import type { FindingNotification } from '../core/rules/engine';
import { findingWords } from '../core/rules/explain';
import type { NotificationBus } from '../core/rules/ports';
import { rethrowThrottling } from './aws-errors';
import { traced } from '../shared/powertools';

export const NOTIFICATION_SOURCE = 'ucx-cloud.proactive-support';
const PUT_EVENTS_MAX = 10;

let client: EventBridgeClient | undefined;
export const eventBridgeClient = () => (client ??= traced(new EventBridgeClient({})));

export class EventBridgeNotificationBus implements NotificationBus {
  constructor(
    private readonly busName: string,
    private readonly eventBridge: EventBridgeClient = eventBridgeClient(),
  ) {}

  async publish(notifications: readonly FindingNotification[]): Promise<void> {
    for (let i = 0; i < notifications.length; i += PUT_EVENTS_MAX) {
      let pending = notifications.slice(i, i + PUT_EVENTS_MAX);
      for (let attempt = 0; pending.length > 0; attempt++) {
        let out: PutEventsCommandOutput;
        try {
          out = await this.eventBridge.send(
            new PutEventsCommand({
              Entries: pending.map((n) => ({
                EventBusName: this.busName,
                Source: NOTIFICATION_SOURCE,
                DetailType: `Finding ${n.kind}`,
                // the finding in words, as the findings routes answer it (docs/proactive-support.md)
                Detail: JSON.stringify({
                  eventId: n.eventId,
                  kind: n.kind,
                  finding: { ...n.finding, ...findingWords(n.finding) },
                }),
              })),
            }),
          );
        } catch (error) {
          return rethrowThrottling(error, 'The notification bus');
        }
        const failed = pending.filter((_, index) => out.Entries?.[index]?.ErrorCode);
        if (failed.length > 0 && attempt >= 2)
          throw new Error(`${failed.length} finding notifications were not accepted by the bus`);
        pending = failed;
      }
    }
  }
}
