/** What the closure and export routes answer, as schemas (described in the OpenAPI document). */
import * as z from 'zod';

export const closureViewSchema = z
  .object({
    accountId: z.string(),
    status: z.enum(['open', 'closed']),
    closedAt: z.iso.datetime({ offset: true }).optional(),
    eraseAfter: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'after this instant the eraser deletes what docs/retention.md lists as erased' }),
    erasedAt: z.iso.datetime({ offset: true }).optional(),
    installationsPending: z
      .number()
      .int()
      .optional()
      .meta({ description: 'installations still to deactivate: a retry, or the eraser, finishes them' }),
  })
  .meta({ id: 'AccountClosure', description: 'Whether the account is closed, and when its erasable data goes.' });

export const accountExportSchema = z
  .looseObject({
    format: z.literal('ucx-account-export/1'),
    exportedAt: z.iso.datetime({ offset: true }),
    account: z.looseObject({ accountId: z.string(), name: z.string(), region: z.string() }),
    telemetry: z.object({ enabled: z.boolean() }),
    entitlements: z.array(z.unknown()),
    productPools: z.array(z.unknown()),
    installations: z.array(z.unknown()),
    activationKeys: z.array(z.unknown()).meta({ description: 'what each key was issued for; never the key' }),
    support: z.looseObject({
      findings: z.array(z.unknown()),
      acknowledgements: z.array(z.unknown()),
      snapshots: z.array(z.unknown()),
    }),
    presence: z.looseObject({ enabled: z.boolean() }).meta({ description: 'the connection; never its token' }),
    users: z.array(z.unknown()),
    termsConsents: z.array(z.unknown()).optional(),
    audit: z.array(z.unknown()).meta({ description: 'the whole audit trail, oldest first' }),
  })
  .meta({ id: 'AccountExport', description: 'Everything the cloud holds about the account (docs/retention.md).' });
