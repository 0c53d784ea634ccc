/**
 * The region's outgoing e-mail: an SES identity, and a configuration set that suppresses addresses
 * that bounced or complained and reports both to EventBridge. Functions that send get
 * `ses:SendEmail` on this identity and configuration set only (`grantSend`).
 */
import { Arn, Stack } from 'aws-cdk-lib';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface MailProps {
  /** the sending identity: a domain (DKIM records to publish once deployed) or one e-mail address */
  readonly identity: string;
  /**
   * the From address; must be the identity itself or an address of its domain
   * @default `no-reply@<identity>` for a domain, the identity for an address
   */
  readonly fromAddress?: string;
  /**
   * where bounce and complaint events go
   * @default the account's default event bus
   */
  readonly eventBus?: IEventBus;
}

export class Mail extends Construct {
  /** bounces and complaints suppressed, and sent to EventBridge */
  public readonly configurationSet: ConfigurationSet;
  public readonly configurationSetName: string;
  /** the verified sender, sending through the configuration set by default */
  public readonly identity: EmailIdentity;
  public readonly identityArn: string;
  /** what mail is sent from */
  public readonly fromAddress: string;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    const isAddress = props.identity.includes('@');
    const domain = isAddress ? props.identity.split('@')[1]! : props.identity;
    this.fromAddress = props.fromAddress ?? (isAddress ? props.identity : `no-reply@${props.identity}`);
    const fromDomain = this.fromAddress.split('@')[1];
    if (isAddress ? this.fromAddress !== props.identity : fromDomain !== domain)
      throw new Error(`Mail ${id}: fromAddress ${this.fromAddress} is not sent by the identity ${props.identity}`);

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      // An address that bounced or complained is not mailed again: it would hurt the sender's reputation.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.eventBus(
        props.eventBus ?? EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT],
    });
    this.configurationSetName = this.configurationSet.configurationSetName;
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: isAddress ? Identity.email(props.identity) : Identity.domain(props.identity),
      configurationSet: this.configurationSet,
    });
    this.identityArn = this.identity.emailIdentityArn;
  }

  /** ses:SendEmail with this identity through this configuration set, nothing else. */
  grantSend(grantee: IGrantable): void {
    const configurationSetArn = Arn.format(
      { service: 'ses', resource: 'configuration-set', resourceName: this.configurationSetName },
      Stack.of(this),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ses:SendEmail'], resources: [this.identityArn, configurationSetArn] }),
    );
  }
}
