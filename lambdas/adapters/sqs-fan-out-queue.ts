/** The fan-out queue between Graph's notifications and the suite's sessions (SQS). */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { FanOutMessage, FanOutQueue } from '../core/presence/store';

export class SqsFanOutQueue implements FanOutQueue {
  private readonly client = new SQSClient({});

  constructor(private readonly queueUrl: string) {}

  async send(message: FanOutMessage): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }));
  }
}
