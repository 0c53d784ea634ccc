/** Ports of the telemetry domain. */

export interface StreamRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** The region's telemetry stream (Kinesis in the cloud, kinesalite locally). */
export interface TelemetryStream {
  /** puts the records; answers the indexes of those that were not accepted (throttled, failed) */
  put(records: readonly StreamRecord[]): Promise<{ failed: number[] }>;
}

/** The archive bucket. */
export interface ArchiveStore {
  putObject(key: string, body: Uint8Array): Promise<void>;
}
