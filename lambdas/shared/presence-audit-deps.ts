/**
 * Composition root of the Presence handlers that write the licensing table's audit log (the switch,
 * a tenant connection completed or disconnected, a closure): presence-deps.ts's dependencies on the
 * licensing table's client that publishes audit items as vendor events (docs/events.md). Only these
 * handlers' bundles hold the publisher; the other Presence handlers only read that table.
 */
import { licensingTableClient } from '../adapters/licensing-table-client';
import type { PresenceDeps } from '../core/presence/deps';
import { composePresenceDeps } from './presence-deps';
import { wireMicrosoft } from './presence-graph-deps';

let deps: PresenceDeps | undefined;
let graphDeps: PresenceDeps | undefined;

/** Writing the audit log without calling Microsoft. */
export function auditedPresenceDeps(): PresenceDeps {
  deps ??= composePresenceDeps(undefined, licensingTableClient);
  return deps;
}

/** Writing the audit log and calling Microsoft. */
export function auditedPresenceGraphDeps(): PresenceDeps {
  graphDeps ??= composePresenceDeps(wireMicrosoft, licensingTableClient);
  return graphDeps;
}
