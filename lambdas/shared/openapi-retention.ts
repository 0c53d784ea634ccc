/** The OpenAPI operations of the closure and export routes (docs/retention.md), spread into openapi.ts's table. */
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import type * as z from 'zod/mini';
import { withMeta } from '../core/schema-meta';
import { closureBodySchema } from '../core/accounts/closure';
import { accountExportSchema, closureViewSchema } from '../core/accounts/closure-responses';
import { accountParams } from './params';

const json = (schema: z.core.$ZodType, description: string): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
});

export const retentionOperations = {
  exportAccount: {
    tag: 'Licensing',
    summary: 'Download everything the cloud holds about the account (JSON)',
    description:
      'The account’s administrators, its reseller and the back office. An attachment: account, entitlements, pools, installations, what each activation key was for, support findings and snapshots’ summary, telemetry and Presence settings (no token), users, terms consents and the whole audit trail. Audited (`account.exported`).',
    params: accountParams,
    responses: { '200': json(accountExportSchema, 'The export, as an attachment') },
    errors: { 404: 'Unknown account' },
  },
  closeAccount: {
    tag: 'Licensing',
    summary: 'Close the account (its administrator, or the back office)',
    description:
      'Confirmed by typing the account’s name. Every installation is deactivated (their polls answer 410, telemetry 403), telemetry and Presence are switched off, nothing new is accepted; the erasable data goes after `eraseAfter` (30 days). Closing a closed account answers the same.',
    params: accountParams,
    body: withMeta(closureBodySchema, { id: 'AccountClosureRequest' }),
    responses: { '200': json(closureViewSchema, 'The account is closed') },
    errors: {
      404: 'Unknown account',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
  getAccountClosure: {
    tag: 'Licensing',
    summary: 'Whether the account is closed, and when its data is erased',
    params: accountParams,
    responses: { '200': json(closureViewSchema, 'The closure, or `status: open`') },
    errors: { 404: 'Unknown account' },
  },
  reopenAccount: {
    tag: 'Licensing',
    summary: 'Reopen a closed account before its data is erased (back office)',
    description: 'Its installations stay deactivated and telemetry off: they activate again with new keys.',
    params: accountParams,
    responses: { '200': json(closureViewSchema, 'The account is open') },
    errors: {
      404: 'Unknown account',
      410: 'Past the retention period: the account’s data is being or was erased',
      421: 'The account is homed in the other region: send the request to `homeEndpoint`',
    },
  },
} as const;
