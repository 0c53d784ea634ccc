/** The suite's sessions through API Gateway's @connections API; a gone connection (410) is reported, not thrown. */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { SessionChannel } from '../core/presence/ports';

const gone = (error: unknown) =>
  error instanceof Error &&
  (error.name === 'GoneException' ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410);

export class ApiGatewaySessionChannel implements SessionChannel {
  private readonly client: ApiGatewayManagementApiClient;

  /** @param endpoint the stage's callback URL, `https://<api>.execute-api.<region>.<suffix>/<stage>` */
  constructor(endpoint: string) {
    this.client = new ApiGatewayManagementApiClient({ endpoint });
  }

  async send(connectionId: string, frame: unknown): Promise<boolean> {
    try {
      await this.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify(frame)) }),
      );
      return true;
    } catch (error) {
      if (gone(error)) return false;
      throw error;
    }
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!gone(error)) throw error;
    }
  }
}
