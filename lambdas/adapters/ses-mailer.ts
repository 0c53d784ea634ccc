/**
 * Mail through SES v2 SendEmail with a configuration set: its suppression list drops addresses that
 * bounced or complained, and its event destination reports both (lib/constructs/mail.ts).
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../core/accounts/terms';
import { rethrowThrottling } from './aws-errors';

export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSetName: string,
    private readonly fromAddress: string,
  ) {}

  async send(message: { to: string; subject: string; text: string }): Promise<void> {
    await this.client
      .send(
        new SendEmailCommand({
          FromEmailAddress: this.fromAddress,
          Destination: { ToAddresses: [message.to] },
          ConfigurationSetName: this.configurationSetName,
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
            },
          },
        }),
      )
      .catch((error: unknown) => rethrowThrottling(error, 'SES'));
  }
}
