/** Composition root of the licensing handlers: adapters chosen from the environment, built once per container. */
import { DynamoDbLicensingRepository } from '../adapters/dynamodb-licensing-repository';
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { signerFromRef } from '../adapters/licence-signers';
import { randomIds } from '../adapters/random-ids';
import type { LicenseSettings, LicensingDeps } from '../core/licensing/deps';
import { systemClock } from '../core/ports';
import { env, required } from './env';
import { verifyAgentRequest, type AgentRequest } from './agent-signature';
import { logger } from './powertools';
import type { Ed25519Jwk } from '../core/licensing/model';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

let deps: LicensingDeps | undefined;
let settings: LicenseSettings | undefined;

export function licensingDeps(): LicensingDeps {
  deps ??= {
    repo: new DynamoDbLicensingRepository(dynamoDocumentClient(), required('TABLE_NAME')),
    clock: systemClock,
    ids: randomIds,
    log: { warn: (message, details) => logger.warn(message, details) },
  };
  return deps;
}

export function licenseSettings(): LicenseSettings {
  if (!settings) {
    const e = env();
    settings = {
      signer: signerFromRef(required('SIGNING_KEY_REF')),
      region: e.REGION_KEY,
      endpoints: e.REGION_ENDPOINTS as LicenseSettings['endpoints'],
      nextPollSeconds: e.NEXT_POLL_SECONDS,
      licenseTtlDays: e.LICENSE_TTL_DAYS,
    };
  }
  return settings;
}

type SignedRequest = { event: APIGatewayProxyEventV2; rawBody: Buffer };

export function agentRequestOf({ event, rawBody }: SignedRequest): AgentRequest {
  return { method: event.requestContext.http.method, path: event.rawPath, headers: event.headers ?? {}, body: rawBody };
}

/** A verifier for use cases that look the key up themselves: the signature must name `keyid` and verify with `publicKey`. */
export function signedBy(request: SignedRequest, keyid: string) {
  const agentRequest = agentRequestOf(request);
  return async (publicKey: Ed25519Jwk) => {
    await verifyAgentRequest(agentRequest, async (id) => (id === keyid ? publicKey : null));
  };
}
