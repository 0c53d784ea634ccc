/**
 * A region's dashboards, alarms and on-call topic (lib/constructs/observability.ts), in a stack of
 * their own: they watch the stateless stack's functions, API and queues and the stateful stack's
 * tables and stream, and take 35 resources the stateless stack needs for functions and routes
 * (CloudFormation allows 500 per stack; test/infra/stack-size.test.ts). Built after both.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AppConfig, RegionKey } from '../config';
import { Observability } from '../constructs/observability';
import { routes, streamConsumers } from '../routes';
import type { StatefulStack } from './stateful-stack';
import { presenceStageName, type StatelessStack } from './stateless-stack';

export interface OperationsStackProps extends StackProps {
  /** the validated app configuration */
  readonly config: AppConfig;
  /** region this stack deploys to and watches */
  readonly regionKey: RegionKey;
  /** the same region's stateful stack: tables, stream, fan-out queues */
  readonly stateful: StatefulStack;
  /** the same region's stateless stack: API, functions, the sweep's dead-letter queue */
  readonly stateless: StatelessStack;
}

export class OperationsStack extends Stack {
  /** this region's dashboards, alarms and on-call topic (lib/observability/definition.ts) */
  public readonly observability: Observability;

  constructor(scope: Construct, id: string, props: OperationsStackProps) {
    super(scope, id, props);
    const { config, regionKey, stateful, stateless } = props;
    if (stateless.region !== this.region || stateful.region !== this.region) {
      throw new Error(
        `OperationsStack ${id}: it watches ${stateless.stackName} and ${stateful.stackName}, which must be in ${this.region}`,
      );
    }

    this.observability = new Observability(this, 'Observability', {
      stage: config.stage,
      regionKey,
      api: stateless.api,
      routes,
      functions: stateless.functions,
      tables: { licensing: stateful.table, support: stateful.supportTable },
      tableCapacity: config.tableCapacity,
      telemetryStream: stateful.telemetryStream,
      failureQueues: {
        ...Object.fromEntries(
          streamConsumers.map((c) => [`${c.fn}.onFailure`, stateless.functions[c.fn].onFailureQueue]),
        ),
        'sweepSilent.deadLetter': stateless.silentSweepDeadLetterQueue,
        'presenceFanOut.deadLetter': stateful.presenceFanOutDeadLetterQueue,
      },
      workQueues: { 'presenceFanOut.queue': stateful.presenceFanOutQueue },
      presenceApi: stateless.presenceApi,
      presenceStageName,
    });

    new CfnOutput(this, 'OnCallTopicArn', {
      value: this.observability.onCallTopic.topicArn,
      description: 'subscribe on-call here: every alarm of this region',
    });
  }
}
