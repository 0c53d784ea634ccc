/** What the Presence routes answer, as schemas (the OpenAPI document reads them). */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';

export const presenceSettingsSchema = withMeta(
  z.object({
    enabled: z.boolean(),
    tenant: z.optional(
      z.object({
        tenantId: z.string(),
        connectedBy: withMeta(z.string(), { description: 'the Microsoft 365 administrator who consented' }),
        connectedAt: z.iso.datetime(),
        needsReconnect: withMeta(z.optional(z.boolean()), {
          description: 'Microsoft refused the grant: an administrator must connect again',
        }),
      }),
    ),
    sessions: withMeta(z.int(), { description: 'the suite sessions open now' }),
  }),
  { id: 'PresenceSettings' },
);

export const authorizeUrlSchema = withMeta(
  z.object({
    authorizeUrl: withMeta(z.url(), { description: 'where the browser goes for the administrator’s consent' }),
  }),
  { id: 'PresenceAuthorization' },
);

export const presenceSchema = withMeta(
  z.object({ user: z.string(), availability: z.string(), activity: z.string(), at: z.iso.datetime() }),
  { id: 'Presence' },
);

export const snapshotSchema = withMeta(z.object({ presences: z.array(presenceSchema), unknown: z.array(z.string()) }), {
  id: 'PresenceSnapshot',
});

export const notificationReportSchema = withMeta(z.object({ accepted: z.int(), dropped: z.int(), updates: z.int() }), {
  id: 'PresenceNotificationReport',
});
