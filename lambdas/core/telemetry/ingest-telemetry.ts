/**
 * Telemetry ingest: each beat judged alone (validated, unknown fields dropped, personal data
 * redacted), the accepted ones put on the region's stream as one compressed record per batch
 * (stream-record.ts) — retrying only the records the stream refused — and answered only once every
 * accepted beat is in the stream. No database write per beat.
 */
import * as z from 'zod/mini';
import {
  ForbiddenError,
  GoneError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  ValidationError,
  type FieldError,
} from '../errors';
import type { Region } from '../licensing/catalogue';
import { assertHomeRegion } from '../licensing/home-region';
import type { Installation } from '../licensing/model';
import type { Clock } from '../ports';
import { licencePayloadOf } from '../rules/licence-facts';
import { CATALOGUE_VERSION } from './catalogue';
import { collectedAtError } from './collected-window';
import { sanitizeBeat } from './privacy';
import type { StreamRecord, TelemetryStream } from './ports';
import { encodeBatch, MAX_RECORD_BYTES, type RecordLicence, type StreamBeat } from './stream-record';

export const MAX_BEATS_PER_BATCH = 500;
/** Kinesis PutRecords limits: 500 records and 5 MiB per call. */
const MAX_RECORDS_PER_PUT = 500;
const MAX_BYTES_PER_PUT = 5 * 1024 * 1024 - 64 * 1024;

export interface IngestDeps {
  readonly stream: TelemetryStream;
  readonly clock: Clock;
  /** waits between retries of refused records; @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface IngestSettings {
  readonly region: Region;
  readonly endpoints: Record<Region, string>;
  /** backoff before each retry of refused records; its length bounds the retries */
  readonly retryDelaysMs?: readonly number[];
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: { beatId: string | null; errors: FieldError[] }[];
  redactions: { beatId: string; path: string; reason: string }[];
}

/** The 202: the ingest result and the licence's ETag now, so an agent need not poll (docs/licensing.md). */
export interface TelemetryReceipt extends IngestResult {
  license: { etag: string | null };
}

const batchSchema = z.object({ beats: z.array(z.unknown()).check(z.minLength(1, 'at least one beat is required')) });

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function ingestTelemetry(
  deps: IngestDeps,
  settings: IngestSettings,
  installation: Installation,
  body: unknown,
  /** the licence's ETag the answer carries, kept with the licence facts in the record */
  licenceEtag: string | null = null,
): Promise<IngestResult> {
  // telemetry stays in the account's home region, as every licensing write does
  assertHomeRegion(installation.region, settings);
  if (!installation.telemetryEnabled) {
    throw new ForbiddenError('Telemetry is switched off for this account; nothing was stored.');
  }
  if (installation.status !== 'active') {
    throw new GoneError(`Installation ${installation.installationId} was deactivated.`);
  }
  const batch = batchSchema.safeParse(body);
  if (!batch.success) {
    throw new ValidationError(batch.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  const { beats } = batch.data;
  if (beats.length > MAX_BEATS_PER_BATCH) {
    throw new PayloadTooLargeError(`${beats.length} beats sent; at most ${MAX_BEATS_PER_BATCH} per batch.`);
  }

  const arrival = deps.clock.now().getTime();
  const receivedAt = new Date(arrival).toISOString();
  const result: IngestResult = { accepted: 0, duplicates: 0, rejected: [], redactions: [] };
  const seen = new Set<string>();
  const accepted: StreamBeat[] = [];
  const allErrors: FieldError[] = [];

  beats.forEach((raw, index) => {
    const outcome = sanitizeBeat(raw);
    if (!outcome.ok) {
      const beatId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : null;
      result.rejected.push({ beatId, errors: outcome.errors });
      allErrors.push(
        ...outcome.errors.map((e) => ({ path: `beats.${index}${e.path ? `.${e.path}` : ''}`, message: e.message })),
      );
      return;
    }
    const { beat } = outcome;
    const outOfTime = collectedAtError(beat.collectedAt, arrival);
    if (outOfTime) {
      result.rejected.push({ beatId: beat.id, errors: [outOfTime] });
      allErrors.push({ path: `beats.${index}.${outOfTime.path}`, message: outOfTime.message });
      return;
    }
    if (seen.has(beat.id)) {
      result.duplicates++;
      return;
    }
    seen.add(beat.id);
    for (const r of outcome.redactions) result.redactions.push({ beatId: beat.id, path: r.path, reason: r.reason });
    accepted.push({
      beat_id: beat.id,
      type: beat.type,
      collected_at: beat.collectedAt,
      data: beat.data as Record<string, unknown>,
    });
  });

  const partitionKey = installation.installationId;
  const encoded =
    accepted.length === 0
      ? undefined
      : encodeBatch(
          {
            installation_id: installation.installationId,
            account_id: installation.accountId,
            region: installation.region,
            received_at: receivedAt,
            catalogue: CATALOGUE_VERSION,
            licence: recordLicenceOf(installation, licenceEtag),
          },
          accepted,
          { partitionKeyBytes: Buffer.byteLength(partitionKey) },
        );
  for (const beat of encoded?.oversized ?? []) {
    const message = `the beat does not fit in one stream record (${MAX_RECORD_BYTES} bytes compressed)`;
    result.rejected.push({ beatId: beat.beat_id, errors: [{ path: '', message }] });
    allErrors.push({ path: `beats.${beats.findIndex((b) => (b as { id?: unknown })?.id === beat.beat_id)}`, message });
  }
  if (!encoded || encoded.records.length === 0) {
    throw new ValidationError(allErrors, 'No beat in the batch is acceptable.');
  }
  await putAll(
    deps,
    settings,
    encoded.records.map((data) => ({ partitionKey, data })),
  );
  result.accepted = accepted.length - encoded.oversized.length;
  return result;
}

/**
 * The licence facts the rules need, from the installation just read for the signature check, so
 * the rules read no licence. A licence that does not decode leaves them out: the rules read it then.
 */
function recordLicenceOf(installation: Installation, etag: string | null): RecordLicence | undefined {
  let payload: ReturnType<typeof licencePayloadOf>;
  try {
    payload = licencePayloadOf(installation.license?.jws ?? '');
  } catch {
    return undefined;
  }
  return { v: 1, etag, products: payload.products, nodes: [...installation.nodes], telemetry: payload.telemetry };
}

/** Puts every record, in PutRecords-sized chunks, retrying only the refused ones. */
async function putAll(deps: IngestDeps, settings: IngestSettings, records: StreamRecord[]): Promise<void> {
  const sleep = deps.sleep ?? defaultSleep;
  const delays = settings.retryDelaysMs ?? [50, 150, 400, 1000];
  for (const chunk of chunks(records)) {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const { failed } = await deps.stream.put(pending);
      pending = failed.map((i) => pending[i]!);
      if (pending.length === 0) break;
      const delay = delays[attempt];
      if (delay === undefined) {
        throw new ServiceUnavailableError(
          `The telemetry stream is busy; ${pending.length} of the batch's records were not taken. Send the batch again.`,
          2,
        );
      }
      await sleep(delay);
    }
  }
}

function* chunks(records: StreamRecord[]): Generator<StreamRecord[]> {
  let current: StreamRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.data.length + record.partitionKey.length;
    if (current.length === MAX_RECORDS_PER_PUT || (bytes + size > MAX_BYTES_PER_PUT && current.length > 0)) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) yield current;
}
