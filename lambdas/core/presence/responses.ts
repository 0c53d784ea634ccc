/** What the Presence routes answer, as schemas (the OpenAPI document reads them). */
import * as z from 'zod';

export const presenceSettingsSchema = z
  .object({
    enabled: z.boolean(),
    tenant: z
      .object({
        tenantId: z.string(),
        connectedBy: z.string().meta({ description: 'the Microsoft 365 administrator who consented' }),
        connectedAt: z.iso.datetime(),
        needsReconnect: z
          .boolean()
          .optional()
          .meta({ description: 'Microsoft refused the grant: an administrator must connect again' }),
      })
      .optional(),
    sessions: z.number().int().meta({ description: 'the suite sessions open now' }),
  })
  .meta({ id: 'PresenceSettings' });

export const authorizeUrlSchema = z
  .object({
    authorizeUrl: z.string().url().meta({ description: 'where the browser goes for the administrator’s consent' }),
  })
  .meta({ id: 'PresenceAuthorization' });

export const presenceSchema = z
  .object({ user: z.string(), availability: z.string(), activity: z.string(), at: z.iso.datetime() })
  .meta({ id: 'Presence' });

export const snapshotSchema = z
  .object({ presences: z.array(presenceSchema), unknown: z.array(z.string()) })
  .meta({ id: 'PresenceSnapshot' });

export const notificationReportSchema = z
  .object({ accepted: z.number().int(), dropped: z.number().int(), updates: z.number().int() })
  .meta({ id: 'PresenceNotificationReport' });
