/** POST /v1/installations/{id}/telemetry: a signed, optionally gzipped batch of beats into the region's stream. */
import { loadVerified } from '../core/licensing/poll-license';
import { ingestTelemetry } from '../core/telemetry/ingest-telemetry';
import { emitCount } from '../shared/business-metrics';
import { decodeBody, httpRoute, parseJsonBody } from '../shared/http';
import { licensingDeps, signedBy } from '../shared/licensing-deps';
import { installationParams } from '../shared/params';
import { ingestDeps, ingestSettings } from '../shared/telemetry-deps';

/** DESIGN.md: at most 1 MiB as sent and 8 MiB unpacked. */
const MAX_SENT_BYTES = 1024 * 1024;
const MAX_UNPACKED_BYTES = 8 * 1024 * 1024;

export const handler = httpRoute(
  { metric: 'telemetryBatches', params: installationParams, maxBodyBytes: MAX_SENT_BYTES },
  async (request) => {
    const { id } = request.params;
    // Verify first: nothing is unpacked or parsed for a request that is not the installation's own.
    // Deactivated ones too: the ingest answers a switched-off (or closed) account 403 before 410.
    const installation = await loadVerified(licensingDeps(), id, signedBy(request, id), { allowDeactivated: true });
    const body = parseJsonBody(decodeBody(request.rawBody, request.header, MAX_UNPACKED_BYTES), request.header);
    const result = await ingestTelemetry(ingestDeps(), ingestSettings(), installation, body);
    emitCount('beatsAccepted', result.accepted);
    emitCount('beatsRejected', result.rejected.length);
    emitCount('beatsRedacted', result.redactions.length);
    emitCount('beatsDuplicate', result.duplicates);
    return { status: 202, body: result };
  },
);
