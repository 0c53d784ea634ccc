/**
 * The installation's last-poll item (`INST#<inst> / POLL`, the layout: dynamodb-licensing-repository.ts):
 * its write, shared by the repository and the telemetry ingest's contact (dynamodb-agent-contact.ts).
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { installationPk, LAST_POLL_SK } from './dynamodb-installation-read';

/** The port's recordPoll: false when the item holds a contact at or after `olderThan` (a concurrent poll's). */
export async function recordLastPoll(
  client: DynamoDBDocumentClient,
  tableName: string,
  installationId: string,
  at: string,
  olderThan: string,
): Promise<boolean> {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: installationPk(installationId), sk: LAST_POLL_SK },
        UpdateExpression: 'SET #type = :type, #installationId = :installationId, #lastPollAt = :at',
        ConditionExpression: 'attribute_not_exists(#lastPollAt) OR #lastPollAt < :olderThan',
        ExpressionAttributeNames: {
          '#type': 'type',
          '#installationId': 'installationId',
          '#lastPollAt': 'lastPollAt',
        },
        ExpressionAttributeValues: {
          ':type': 'last-poll',
          ':installationId': installationId,
          ':at': at,
          ':olderThan': olderThan,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
