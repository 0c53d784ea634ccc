/** The telemetry archive on S3 (s3rver locally, which wants path-style requests). */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ArchiveStore } from '../core/telemetry/ports';
import { traced } from '../shared/powertools';

let client: S3Client | undefined;
export function s3Client(forcePathStyle: boolean): S3Client {
  client ??= traced(new S3Client({ forcePathStyle }));
  return client;
}

export class S3ArchiveStore implements ArchiveStore {
  constructor(
    private readonly bucket: string,
    private readonly s3: S3Client,
  ) {}

  async putObject(key: string, body: Uint8Array): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        // gzip NDJSON; no Content-Encoding, so readers get the bytes Athena reads
        ContentType: 'application/gzip',
      }),
    );
  }
}
