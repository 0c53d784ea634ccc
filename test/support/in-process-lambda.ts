/**
 * Runs a real handler module in the test process against the local cloud's emulators, so a test
 * can inject a fault into one SDK client (aws-sdk-client-mock on that client instance) while every
 * other call reaches the real DynamoDB Local / kinesalite.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { buildHttpApiEvent } from '#local/http-event';
import { signingKeyRefs } from '#local/keys';
import { signRequest, type SigningIdentity } from '#agent/sdk/signing';
import { cloud, type CloudInfo } from '#test/support/local-cloud';

/** The environment the local cloud gives an EU function, with the resources this test needs. */
export function localLambdaEnv(region: 'eu' | 'us' = 'eu', extra: Record<string, string> = {}): Record<string, string> {
  const info: CloudInfo = cloud();
  const r = info.regions[region];
  const resource = (prefix: string) =>
    Object.entries(r.resources).find(([logical]) => logical.startsWith(prefix))?.[1] ?? '';
  return {
    AWS_REGION: r.region,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: r.endpoints.dynamodb,
    AWS_ENDPOINT_URL_KINESIS: r.endpoints.kinesis,
    AWS_ENDPOINT_URL_S3: r.endpoints.s3,
    REGION_KEY: region,
    REGION_ENDPOINTS: JSON.stringify({ eu: info.regions.eu.api, us: info.regions.us.api }),
    TABLE_NAME: resource('LicensingTable') || 'ucx-prod-licensing',
    TELEMETRY_STREAM_NAME: resource('TelemetryStream'),
    SIGNING_KEY_REF: signingKeyRefs(info.dataDir, region).current,
    POWERTOOLS_DEV: 'false',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    ...extra,
  };
}

export const lambdaContext = {
  functionName: 'in-process',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** A signed API Gateway v2 event for an agent route. */
export async function signedEvent(
  method: string,
  path: string,
  routeKey: string,
  pathParameters: Record<string, string>,
  identity: SigningIdentity,
  body?: unknown,
): Promise<APIGatewayProxyEventV2> {
  const bytes = body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(body));
  const headers = await signRequest(
    {
      method,
      url: `http://127.0.0.1${path}`,
      headers: bytes ? { 'content-type': 'application/json' } : {},
      body: bytes,
    },
    identity,
  );
  return buildHttpApiEvent(
    {
      method,
      url: path,
      rawHeaders: Object.entries(headers).flat(),
      body: Buffer.from(bytes ?? []),
      sourceIp: '127.0.0.1',
      protocol: 'HTTP/1.1',
    },
    { routeKey, pathParameters, accountId: '000000000000', apiId: 'local', port: 0 },
  );
}

export async function invoke(handler: unknown, event: APIGatewayProxyEventV2) {
  const result = await (handler as Handler)(event, lambdaContext);
  return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
}
