/** Composition root of the licence poll (get-license): the licensing deps, built once per container. */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import type { LicensingDeps } from '../core/licensing/deps';
import { licensingDepsOn } from './licensing-deps-on';

let deps: LicensingDeps | undefined;

export function pollDeps(): LicensingDeps {
  // not licensingTableClient(): the poll writes only its installation (lib/routes.ts), never an
  // audit item, so its bundle goes without the vendor events (docs/events.md)
  deps ??= licensingDepsOn(dynamoDocumentClient());
  return deps;
}
