/** Composition root of the rules' stream consumer: rules-deps.ts's, and the history store the beats are kept in. */
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbHistoryStore } from '../adapters/dynamodb-history-store';
import type { StreamDeps } from '../core/rules/evaluate-installations';
import { required } from './env';
import { rulesDeps } from './rules-deps';

let deps: StreamDeps | undefined;

export function streamRulesDeps(): StreamDeps {
  deps ??= {
    ...rulesDeps(),
    history: new DynamoDbHistoryStore(dynamoDocumentClient(), required('SUPPORT_TABLE_NAME')),
  };
  return deps;
}
