/**
 * The licensing use cases' collaborators on a given document client, so that each composition root
 * chooses it: licensing-deps.ts the one that publishes audit items, poll-deps.ts the plain one.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoReadClient } from '../adapters/aws-clients';
import { DynamoDbLicensingRepository } from '../adapters/dynamodb-licensing-repository';
import { randomIds } from '../adapters/random-ids';
import type { LicensingDeps } from '../core/licensing/deps';
import { systemClock } from '../core/ports';
import { emitCount } from './business-metrics';
import { required } from './env';
import { logger } from './powertools';
import { servingRegion } from './serving-region';

export function licensingDepsOn(client: DynamoDBDocumentClient): LicensingDeps {
  return {
    repo: new DynamoDbLicensingRepository(client, required('TABLE_NAME'), {
      reads: dynamoReadClient,
      onViewsDeferred: (accountId, error) =>
        logger.warn("the account's terms are copied to its installations by the 5-minute repair", { accountId, error }),
    }),
    clock: systemClock,
    ids: randomIds,
    log: { warn: (message, details) => logger.warn(message, details) },
    here: servingRegion(),
    metrics: { count: (name) => emitCount(name) },
  };
}
