/** Composition root of the history route: the support API's adapters, the history store and licence facts. */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbHistoryStore } from '../adapters/dynamodb-history-store';
import { DynamoDbLicensingReads } from '../adapters/dynamodb-licensing-reads';
import { CachedLicenceFacts } from '../adapters/licence-facts';
import type { HistoryDeps } from '../core/history/get-history';
import { required } from './env';
import { supportDeps } from './support-deps';

let deps: HistoryDeps | undefined;

export function historyDeps(): HistoryDeps {
  deps ??= {
    ...supportDeps(),
    history: new DynamoDbHistoryStore(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    licences: new CachedLicenceFacts(new DynamoDbLicensingReads(dynamoDocumentClient(), required('TABLE_NAME'))),
  };
  return deps;
}
