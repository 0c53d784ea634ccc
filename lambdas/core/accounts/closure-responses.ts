/** What the closure and export routes answer, as schemas (described in the OpenAPI document). */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';

export const closureViewSchema = withMeta(
  z.object({
    accountId: z.string(),
    status: z.enum(['open', 'closed']),
    closedAt: z.optional(z.iso.datetime({ offset: true })),
    eraseAfter: withMeta(z.optional(z.iso.datetime({ offset: true })), {
      description: 'after this instant the eraser deletes what docs/retention.md lists as erased',
    }),
    erasedAt: z.optional(z.iso.datetime({ offset: true })),
    installationsPending: withMeta(z.optional(z.int()), {
      description: 'installations still to deactivate: a retry, or the eraser, finishes them',
    }),
  }),
  { id: 'AccountClosure', description: 'Whether the account is closed, and when its erasable data goes.' },
);

export const accountExportSchema = withMeta(
  z.looseObject({
    format: z.literal('ucx-account-export/1'),
    exportedAt: z.iso.datetime({ offset: true }),
    account: z.looseObject({ accountId: z.string(), name: z.string(), region: z.string() }),
    telemetry: z.object({ enabled: z.boolean() }),
    entitlements: z.array(z.unknown()),
    productPools: z.array(z.unknown()),
    installations: z.array(z.unknown()),
    activationKeys: withMeta(z.array(z.unknown()), { description: 'what each key was issued for; never the key' }),
    support: z.looseObject({
      findings: z.array(z.unknown()),
      acknowledgements: z.array(z.unknown()),
      snapshots: z.array(z.unknown()),
    }),
    presence: withMeta(z.looseObject({ enabled: z.boolean() }), { description: 'the connection; never its token' }),
    users: z.array(z.unknown()),
    termsConsents: z.optional(z.array(z.unknown())),
    audit: withMeta(z.array(z.unknown()), { description: 'the whole audit trail, oldest first' }),
  }),
  { id: 'AccountExport', description: 'Everything the cloud holds about the account (docs/retention.md).' },
);
