/**
 * EventBridge stand-in: a loopback HTTP endpoint speaking the PutEvents JSON protocol
 * (`X-Amz-Target: AWSEvents.PutEvents`, `application/x-amz-json-1.1`), which the functions reach
 * through `AWS_ENDPOINT_URL_EVENTBRIDGE`. Each accepted event is appended to
 * `<dataDir>/events/<bus name>.jsonl`; nothing is routed further (rules, archives and targets are
 * the cloud's). The region comes from the request's SigV4 credential scope, as in AWS.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { startAwsJsonServer } from './aws-json-server';
import { join } from 'node:path';

/** One event as the stand-in stores it (a line of `<dataDir>/events/<bus>.jsonl`). */
export interface LocalEvent {
  /** the EventId answered to the producer */
  readonly id: string;
  readonly busName: string;
  readonly source: string;
  readonly detailType: string;
  /** `Detail`, parsed */
  readonly detail: unknown;
  /** ISO 8601: the entry's `Time`, else when it arrived */
  readonly time: string;
  /** AWS region name, from the request's credential scope */
  readonly region: string;
  readonly account: string;
  readonly resources: readonly string[];
}

export interface PutEventsResult {
  readonly statusCode: number;
  readonly body: unknown;
  /** the accepted events, to store */
  readonly events: readonly LocalEvent[];
}

/** PutEvents limits: 10 entries per request, 256 KB per request. */
export const putEventsMaxEntries = 10;
export const putEventsMaxBytes = 256 * 1024;

export const eventsDir = (dataDir: string): string => join(dataDir, 'events');
export const eventsFile = (dataDir: string, busName: string): string =>
  join(eventsDir(dataDir), `${busName.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);

const clientError = (type: string, message: string): PutEventsResult => ({
  statusCode: 400,
  body: { __type: type, message },
  events: [],
});

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-central-1/events/aws4_request, …` → `eu-central-1`. */
export function signingRegion(authorization: string | undefined): string | undefined {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\/events\/aws4_request/.exec(authorization ?? '')?.[1];
}

/** `EventBusName` as a name or an ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`); absent: `default`. */
export const busNameOf = (nameOrArn: unknown): string =>
  typeof nameOrArn === 'string' && nameOrArn !== ''
    ? (/^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn)?.[1] ?? nameOrArn)
    : 'default';

/**
 * Answers one request as EventBridge would (pure: the caller stores `events`). Request errors are
 * awsJson 1.1 errors (`{ __type, message }`, 400); an entry without Source, DetailType or a JSON
 * object Detail fails alone, as in AWS (`InvalidArgument`, `MalformedDetail`).
 */
export function handlePutEvents(request: {
  readonly target: string | undefined;
  readonly authorization: string | undefined;
  readonly body: Buffer;
  readonly account: string;
  readonly now?: Date;
  readonly newId?: () => string;
}): PutEventsResult {
  if (request.target !== 'AWSEvents.PutEvents') {
    return clientError(
      'UnknownOperationException',
      `the local EventBridge answers AWSEvents.PutEvents only, not ${request.target ?? '(no X-Amz-Target)'}`,
    );
  }
  const region = signingRegion(request.authorization);
  if (!region)
    return clientError(
      'MissingAuthenticationTokenException',
      'Request is missing a SigV4 Authorization header with an events credential scope',
    );
  if (request.body.length > putEventsMaxBytes)
    return clientError(
      'ValidationException',
      `Total size of the entries in the request is over the limit of ${putEventsMaxBytes} bytes`,
    );
  let input: unknown;
  try {
    input = JSON.parse(request.body.toString('utf8') || '{}');
  } catch {
    return clientError('SerializationException', 'Request body is not JSON');
  }
  const entries = (input as { Entries?: unknown }).Entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > putEventsMaxEntries) {
    return clientError('ValidationException', `Entries must hold 1 to ${putEventsMaxEntries} entries`);
  }
  const now = request.now ?? new Date();
  const newId = request.newId ?? randomUUID;
  const events: LocalEvent[] = [];
  const results = entries.map((raw: unknown) => {
    const entry = (raw ?? {}) as Record<string, unknown>;
    if (
      typeof entry['Source'] !== 'string' ||
      entry['Source'] === '' ||
      typeof entry['DetailType'] !== 'string' ||
      entry['DetailType'] === ''
    ) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source and DetailType are required' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(typeof entry['Detail'] === 'string' ? entry['Detail'] : '');
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const time =
      typeof entry['Time'] === 'number'
        ? new Date(entry['Time'] * 1000)
        : typeof entry['Time'] === 'string'
          ? new Date(entry['Time'])
          : now;
    const id = newId();
    events.push({
      id,
      busName: busNameOf(entry['EventBusName']),
      source: entry['Source'],
      detailType: entry['DetailType'],
      detail,
      time: Number.isNaN(time.getTime()) ? now.toISOString() : time.toISOString(),
      region,
      account: request.account,
      resources: Array.isArray(entry['Resources'])
        ? entry['Resources'].filter((r): r is string => typeof r === 'string')
        : [],
    });
    return { EventId: id };
  });
  const failed = results.filter((r) => 'ErrorCode' in r).length;
  return { statusCode: 200, body: { FailedEntryCount: failed, Entries: results }, events };
}

/** The events stored for these buses, oldest first, optionally of one detail type and region. */
export function readEvents(
  dataDir: string,
  busNames: readonly string[],
  filter: { detailType?: string; region?: string } = {},
): LocalEvent[] {
  return busNames
    .flatMap((bus) => {
      const file = eventsFile(dataDir, bus);
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as LocalEvent);
    })
    .filter(
      (e) =>
        (filter.detailType === undefined || e.detailType === filter.detailType) &&
        (filter.region === undefined || e.region === filter.region),
    )
    .sort((a, b) => a.time.localeCompare(b.time));
}

export interface LocalEventBridge {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_EVENTBRIDGE */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startLocalEventBridge(options: {
  readonly port: number;
  readonly dataDir: string;
  readonly account: string;
  /** bus names of the templates; an event for another bus is stored too (AWS accepts it silently) but warned about */
  readonly knownBuses: ReadonlySet<string>;
  /** the local clock, for an event's `time` when its entry has none. @default real time */
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
}): Promise<LocalEventBridge> {
  const log = options.log ?? (() => undefined);
  mkdirSync(eventsDir(options.dataDir), { recursive: true });
  return startAwsJsonServer({
    port: options.port,
    internalType: 'InternalException',
    handle: (request) => {
      const result: PutEventsResult =
        request.method === 'POST'
          ? handlePutEvents({
              target: request.target,
              authorization: request.authorization,
              body: request.body,
              account: options.account,
              ...(options.now && { now: options.now() }),
            })
          : clientError('UnknownOperationException', `${request.method} is not an EventBridge operation`);
      for (const event of result.events) {
        if (!options.knownBuses.has(event.busName))
          log(`eventbridge: bus ${event.busName} is in no template (AWS would accept and drop the event)`);
        appendFileSync(eventsFile(options.dataDir, event.busName), `${JSON.stringify(event)}\n`);
        log(`${event.region} eventbridge ${event.busName} ← ${event.source} "${event.detailType}"`);
      }
      return { status: result.statusCode, body: result.body };
    },
  });
}
