/** Composition root of the missing-beat sweep: rules-deps.ts's, and where it finds the silent. */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbSilentInstallations } from '../adapters/dynamodb-silent-installations';
import type { SweepDeps } from '../core/rules/evaluate-installations';
import { required } from './env';
import { rulesDeps } from './rules-deps';

let deps: SweepDeps | undefined;

export function sweepDeps(): SweepDeps {
  deps ??= {
    ...rulesDeps(),
    silent: new DynamoDbSilentInstallations(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
  };
  return deps;
}
