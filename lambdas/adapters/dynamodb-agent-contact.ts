/**
 * What a telemetry post needs of the licensing store (AgentContactStore, poll-license.ts), with the
 * repository's own requests and none of its commits, so the ingest's bundle carries only these.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Installation } from '../core/licensing/model';
import type { AgentContactStore } from '../core/licensing/poll-license';
import type { AccountTerms } from '../core/licensing/repository';
import { getAccountTerms } from './dynamodb-account-view';
import { readInstallationWithTerms } from './dynamodb-installation-read';
import { recordLastPoll } from './dynamodb-last-poll';

export class DynamoDbAgentContact implements AgentContactStore {
  constructor(
    // a contact stamp writes no audit item: the plain document client, no vendor-event publisher
    private readonly documents: DynamoDBDocumentClient,
    /** the installation read's low-level client (aws-clients.ts dynamoReadClient), as the repository takes it */
    private readonly reads: () => DynamoDBClient,
    private readonly tableName: string,
  ) {}

  getInstallationWithTerms(
    installationId: string,
    options: { consistentRead?: boolean } = {},
  ): Promise<{ installation: Installation; terms?: AccountTerms } | null> {
    return readInstallationWithTerms(this.reads(), this.tableName, installationId, options);
  }

  getAccountTerms(accountId: string, options: { consistentRead?: boolean } = {}): Promise<AccountTerms | null> {
    return getAccountTerms(this.documents, this.tableName, accountId, options);
  }

  recordPoll(installationId: string, at: string, olderThan: string): Promise<boolean> {
    return recordLastPoll(this.documents, this.tableName, installationId, at, olderThan);
  }
}
