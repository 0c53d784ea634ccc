/**
 * Composition root of the telemetry ingest's licensing (AgentContactDeps): the signed request's
 * reads and the contact stamp, built once per container, without licensing-deps.ts's repository.
 */
import { dynamoDocumentClient, dynamoReadClient } from '../adapters/aws-clients';
import { DynamoDbAgentContact } from '../adapters/dynamodb-agent-contact';
import type { AgentContactDeps } from '../core/licensing/poll-license';
import { systemClock } from '../core/ports';
import { required } from './env';
import { logger } from './powertools';

let deps: AgentContactDeps | undefined;

export function agentContactDeps(): AgentContactDeps {
  deps ??= {
    // not licensingTableClient(): the stamp writes no audit item, so nothing to publish (docs/events.md)
    repo: new DynamoDbAgentContact(dynamoDocumentClient(), dynamoReadClient, required('TABLE_NAME')),
    clock: systemClock,
    log: { warn: (message, details) => logger.warn(message, details) },
  };
  return deps;
}
