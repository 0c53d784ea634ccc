/** Composition root of the telemetry handlers. */
import { KinesisTelemetryStream } from '../adapters/kinesis-telemetry-stream';
import { S3ArchiveStore, s3Client } from '../adapters/s3-archive-store';
import type { IngestDeps, IngestSettings } from '../core/telemetry/ingest-telemetry';
import type { ArchiveStore } from '../core/telemetry/ports';
import { systemClock } from '../core/ports';
import { env, required } from './env';

let ingest: IngestDeps | undefined;
let archive: ArchiveStore | undefined;

export function ingestDeps(): IngestDeps {
  ingest ??= { stream: new KinesisTelemetryStream(required('TELEMETRY_STREAM_NAME')), clock: systemClock };
  return ingest;
}

export function ingestSettings(): IngestSettings {
  const e = env();
  return { region: e.REGION_KEY, endpoints: e.REGION_ENDPOINTS as IngestSettings['endpoints'] };
}

export function archiveStore(): ArchiveStore {
  archive ??= new S3ArchiveStore(required('ARCHIVE_BUCKET'), s3Client(env().S3_FORCE_PATH_STYLE));
  return archive;
}
