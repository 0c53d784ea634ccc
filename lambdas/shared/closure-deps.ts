/**
 * Composition root of the account closure, export and eraser handlers (docs/retention.md): the
 * licensing table's closures, the regional support and presence tables, the user directory.
 * Closing also disconnects the Microsoft tenant: close-account-deps.ts adds that, with the OAuth client.
 */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { licensingTableClient } from '../adapters/licensing-table-client';
import { DynamoDbAuditWriter } from '../adapters/dynamodb-audit-writer';
import { DynamoDbClosureStore } from '../adapters/dynamodb-closure-store';
import { DynamoDbPresenceStore } from '../adapters/dynamodb-presence-store';
import { DynamoDbSupportEraser } from '../adapters/dynamodb-support-eraser';
import { DynamoDbSupportReads } from '../adapters/dynamodb-support-reads';
import { DynamoDbTermsStore } from '../adapters/dynamodb-terms-store';
import { randomIds } from '../adapters/random-ids';
import type { ClosureDeps } from '../core/accounts/closure';
import type { EraserDeps } from '../core/accounts/erase-closed-accounts';
import type { ExportDeps } from '../core/accounts/export';
import { systemClock } from '../core/ports';
import { required } from './env';
import { auditLogReader, licensingDeps } from './licensing-deps';
import { userDirectory } from './user-directory';

const closures = () => new DynamoDbClosureStore(licensingTableClient(), required('TABLE_NAME'));
const presenceStore = () =>
  new DynamoDbPresenceStore(dynamoDocumentClient(), required('PRESENCE_TABLE_NAME'), systemClock);

let closure: ClosureDeps | undefined;
/** Reading and reopening a closure: Presence is not touched (closeAccountDeps wires it). */
export function closureDeps(): ClosureDeps {
  closure ??= { licensing: licensingDeps(), closures: closures() };
  return closure;
}

let exporting: ExportDeps | undefined;
export function exportDeps(): ExportDeps {
  exporting ??= {
    repo: licensingDeps().repo,
    auditLog: auditLogReader(),
    support: new DynamoDbSupportReads(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    presence: presenceStore(),
    users: userDirectory(required('USER_DIRECTORY')),
    consents: new DynamoDbTermsStore(licensingTableClient(), required('TABLE_NAME')),
    auditWriter: new DynamoDbAuditWriter(licensingTableClient(), required('TABLE_NAME')),
    clock: systemClock,
    ids: randomIds,
  };
  return exporting;
}

let eraser: EraserDeps | undefined;
export function eraserDeps(): EraserDeps {
  eraser ??= {
    licensing: licensingDeps(),
    closures: closures(),
    support: new DynamoDbSupportEraser(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    presence: presenceStore(),
    users: userDirectory(required('USER_DIRECTORY')),
  };
  return eraser;
}
