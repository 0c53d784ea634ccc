/** `npm start`: the local cloud in the foreground until Ctrl-C. Flags: see local/README.md. */
import { parseArgs } from 'node:util';
import { startLocalCloud } from './cloud';

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.local' },
    'eu-port': { type: 'string', default: '4100' },
    'us-port': { type: 'string', default: '4200' },
    'dynamodb-port': { type: 'string', default: '4110' },
    'kinesis-port': { type: 'string', default: '4120' },
    's3-port': { type: 'string', default: '4130' },
    'eventbridge-port': { type: 'string', default: '0' },
    'graph-port': { type: 'string', default: '0' },
    'sqs-port': { type: 'string', default: '0' },
    // unset: the region's port + 1 (a free port when that is 0)
    'eu-ws-port': { type: 'string' },
    'us-ws-port': { type: 'string' },
    'sqs-retry-delay-ms': { type: 'string' },
    'no-schedules': { type: 'boolean', default: false },
    app: { type: 'string' },
    assembly: { type: 'string' },
    'cdk-out': { type: 'string' },
    synth: { type: 'boolean', default: false },
    seed: { type: 'string', default: 'strict' },
    'no-seed': { type: 'boolean', default: false },
    // unset: <data-dir>/settings.json, else 250 ms, 200 ms and the templates' windows
    'poll-ms': { type: 'string' },
    'retry-delay-ms': { type: 'string' },
    'max-batching-window': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

const port = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name}: not a port: ${value}`);
  return n;
};

function milliseconds(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 60_000) throw new Error(`--${name}: ${min} to 60000 ms, not ${value}`);
  return n;
}

function seconds(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 300) throw new Error(`--${name}: 0 to 300 seconds, not ${value}`);
  return n;
}

function seedMode(value: string | undefined): 'strict' | 'report' | 'skip' {
  if (value === 'strict' || value === 'report' || value === 'skip') return value;
  throw new Error(`--seed: strict, report or skip, not ${value}`);
}

const started = Date.now();
const log = (line: string) => {
  if (!values.quiet) console.log(`[local] ${line}`);
};

try {
  const cloud = await startLocalCloud({
    fresh: values.fresh,
    dataDir: values['data-dir'],
    euPort: port('eu-port', values['eu-port']),
    usPort: port('us-port', values['us-port']),
    dynamodbPort: port('dynamodb-port', values['dynamodb-port']),
    kinesisPort: port('kinesis-port', values['kinesis-port']),
    s3Port: port('s3-port', values['s3-port']),
    eventBridgePort: port('eventbridge-port', values['eventbridge-port']),
    graphPort: port('graph-port', values['graph-port']),
    sqsPort: port('sqs-port', values['sqs-port']),
    ...(values['eu-ws-port'] !== undefined && { euWebSocketPort: port('eu-ws-port', values['eu-ws-port']) }),
    ...(values['us-ws-port'] !== undefined && { usWebSocketPort: port('us-ws-port', values['us-ws-port']) }),
    ...(values['sqs-retry-delay-ms'] !== undefined && {
      sqsRetryDelayMs: milliseconds('sqs-retry-delay-ms', values['sqs-retry-delay-ms'], 1),
    }),
    scheduleTimers: !values['no-schedules'],
    app: values.app,
    assemblyDir: values.assembly,
    cdkOutDir: values['cdk-out'],
    synth: values.synth ? 'always' : 'auto',
    seed: values['no-seed'] ? 'skip' : seedMode(values.seed),
    eventSources: {
      ...(values['poll-ms'] !== undefined && { pollIntervalMs: milliseconds('poll-ms', values['poll-ms'], 10) }),
      ...(values['retry-delay-ms'] !== undefined && {
        retryBaseDelayMs: milliseconds('retry-delay-ms', values['retry-delay-ms'], 1),
      }),
      ...(values['max-batching-window'] !== undefined && {
        maxBatchingWindowSeconds: seconds('max-batching-window', values['max-batching-window']),
      }),
    },
    log,
  });
  const { info } = cloud;
  const lines = [
    '',
    `UCX local cloud ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  EU  ${info.regions.eu.api}    US  ${info.regions.us.api}`,
    `  DynamoDB ${info.regions.eu.endpoints.dynamodb}  Kinesis ${info.regions.eu.endpoints.kinesis}  S3 ${info.regions.eu.endpoints.s3}  EventBridge ${info.regions.eu.endpoints.eventbridge}`,
    `  Microsoft Graph stand-in ${info.graph}  identity platform ${info.identity.authority}`,
    ...(info.regions.eu.presence
      ? [
          `  Presence sessions  EU ${info.regions.eu.presence}  US ${info.regions.us.presence}  SQS ${info.regions.eu.endpoints.sqs}`,
        ]
      : []),
    ...info.demo.accounts.map(
      (a) => `  demo ${a.region.toUpperCase()} account ${a.accountId}  activation key ${a.activationKey}`,
    ),
    ...info.demo.resellers.map((r) => `  demo reseller ${r.resellerId}`),
    `  tokens (ops, support, customers, resellers) and endpoints: ${cloud.cloudJson}`,
    '  Ctrl-C to stop',
    ...(Number(process.versions.node.split('.')[0]) < 22
      ? [
          `  note: Node.js ${process.versions.node}; AWS SDK releases after January 2027 need Node.js 22 (Lambda runs 24)`,
        ]
      : []),
    '',
  ];
  if (!values.quiet) console.log(lines.join('\n'));
  // Machine-readable, for test/support/local-cloud.ts.
  console.log(`UCX_LOCAL_CLOUD_READY ${cloud.cloudJson}`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    cloud.stop().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  if (values['exit-with-stdin']) {
    // A parent (the jest global setup) holds our stdin: when it goes, by design or by a crash, so do we.
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin closed'));
    process.stdin.resume();
  }
} catch (error) {
  console.error(`\n[local] START FAILED: ${(error as Error).message}\n`);
  process.exit(1);
}
