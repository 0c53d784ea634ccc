/** POST /v1/installations/{id}/telemetry: a signed, optionally gzipped batch of beats into the region's stream. */
import { currentLicenseEtag, loadVerifiedWithTerms, recordContact } from '../core/licensing/poll-license';
import { ingestTelemetry, type TelemetryReceipt } from '../core/telemetry/ingest-telemetry';
import { emitCount } from '../shared/business-metrics';
import { env } from '../shared/env';
import { decodeBody, httpRoute, parseJsonBody } from '../shared/http';
import { agentContactDeps } from '../shared/agent-contact-deps';
import { signedBy } from '../shared/agent-signature';
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
    // Eventually consistent, as the poll (half the read units): a change made within the second
    // before reaches the next cycle's post, and its ETag tells the agent to poll then.
    const deps = agentContactDeps();
    const { installation, terms } = await loadVerifiedWithTerms(deps, id, signedBy(request, id), {
      allowDeactivated: true,
      consistentRead: false,
    });
    const body = parseJsonBody(decodeBody(request.rawBody, request.header, MAX_UNPACKED_BYTES), request.header);
    // From what the one read gave (the installation, its copy of the account's terms): the agent
    // polls only when this differs from its own.
    const etag = currentLicenseEtag(installation, deps.clock.now(), env().LICENSE_TTL_DAYS, terms?.termsRev);
    const result = await ingestTelemetry(ingestDeps(), ingestSettings(), installation, body, etag);
    emitCount('beatsAccepted', result.accepted);
    emitCount('beatsRejected', result.rejected.length);
    emitCount('beatsRedacted', result.redactions.length);
    emitCount('beatsDuplicate', result.duplicates);
    await recordContact(deps, installation);
    const receipt: TelemetryReceipt = { ...result, license: { etag } };
    return { status: 202, body: receipt };
  },
);
