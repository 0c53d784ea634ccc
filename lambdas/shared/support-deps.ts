/** Composition root of the support API handlers: adapters chosen from the environment, built once per container. */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbFleetCounters } from '../adapters/dynamodb-fleet-counters';
import { DynamoDbLicensingReads } from '../adapters/dynamodb-licensing-reads';
import { DynamoDbSupportReads } from '../adapters/dynamodb-support-reads';
import { randomIds } from '../adapters/random-ids';
import { systemClock } from '../core/ports';
import type { SupportDeps } from '../core/support/ports';
import { required } from './env';

let deps: SupportDeps | undefined;

export function supportDeps(): SupportDeps {
  deps ??= {
    store: new DynamoDbSupportReads(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    fleetFacts: new DynamoDbFleetCounters(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
    accounts: new DynamoDbLicensingReads(dynamoDocumentClient(), required('TABLE_NAME')),
    clock: systemClock,
    ids: randomIds,
  };
  return deps;
}
