/** Composition root of the telemetry handlers. */
import { AthenaArchiveCompactor, athenaClient } from '../adapters/athena-archive-compactor';
import { KinesisTelemetryStream } from '../adapters/kinesis-telemetry-stream';
import { S3ArchiveStore, s3Client } from '../adapters/s3-archive-store';
import type { ArchiveCompactionStore, CompactionSettings } from '../core/telemetry/compact-archive';
import type { IngestDeps, IngestSettings } from '../core/telemetry/ingest-telemetry';
import type { ArchiveStore } from '../core/telemetry/ports';
import { systemClock } from '../core/ports';
import { env, required } from './env';
import { servingRegion } from './serving-region';

let ingest: IngestDeps | undefined;
let archive: ArchiveStore | undefined;
let compaction: ArchiveCompactionStore | undefined;

export function ingestDeps(): IngestDeps {
  ingest ??= { stream: new KinesisTelemetryStream(required('TELEMETRY_STREAM_NAME')), clock: systemClock };
  return ingest;
}

/** The region the ingest serves: telemetry stays in the account's home region. */
export function ingestSettings(): IngestSettings {
  return servingRegion();
}

export function archiveStore(): ArchiveStore {
  archive ??= new S3ArchiveStore(required('ARCHIVE_BUCKET'), s3Client(env().S3_FORCE_PATH_STYLE));
  return archive;
}

export function compactionDeps(): { store: ArchiveCompactionStore; clock: typeof systemClock } {
  compaction ??= new AthenaArchiveCompactor({
    athena: athenaClient(),
    s3: s3Client(env().S3_FORCE_PATH_STYLE),
    bucket: required('ARCHIVE_BUCKET'),
    database: required('TELEMETRY_DATABASE'),
    workGroup: required('ATHENA_WORKGROUP'),
  });
  return { store: compaction, clock: systemClock };
}

export function compactionSettings(): CompactionSettings {
  const e = env();
  // Six hours of three queries each (an UNLOAD of a 1M-installation region-hour, ~60 GB of raw, takes
  // a minute or two) fit the 15-minute timeout; a backlog drains five hours a run.
  return { region: e.REGION_KEY, rawDays: e.ARCHIVE_RAW_DAYS, maxHoursPerRun: 6 };
}
