/**
 * Composition root of closing an account: closure-deps.ts's, with Presence wired to Microsoft, since
 * closing disconnects the tenant (its Graph subscriptions deleted). Only this route's bundle needs the
 * OAuth client.
 */
import type { ClosureDeps } from '../core/accounts/closure';
import { closureDeps } from './closure-deps';
import { env } from './env';
import { auditedPresenceGraphDeps } from './presence-audit-deps';

let closing: ClosureDeps | undefined;
export function closeAccountDeps(): ClosureDeps {
  closing ??= { ...closureDeps(), ...(env().PRESENCE_TABLE_NAME && { presence: auditedPresenceGraphDeps() }) };
  return closing;
}
