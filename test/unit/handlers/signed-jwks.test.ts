/**
 * GET /.well-known/jwks.json and /.well-known/jwks.json.jws with local key files: the signature
 * covers the very bytes the JWKS route serves, by the current key or the retiring one asked for.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { calculateJwkThumbprint, exportJWK, flattenedVerify, generateKeyPair, importJWK, type JWK } from 'jose';
import { handler as jwks } from '#lambdas/handlers/jwks';
import { handler as signedJwks } from '#lambdas/handlers/signed-jwks';

const dir = mkdtempSync(join(tmpdir(), 'ucx-signed-jwks-'));
const keys: Record<string, { file: string; jwk: JWK; kid: string }> = {};

beforeAll(async () => {
  for (const name of ['eu-current', 'eu-retiring', 'us-current']) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(jwk));
    const { kty, crv, x, y } = jwk;
    keys[name] = { file, jwk: { kty, crv, x, y }, kid: await calculateJwkThumbprint({ kty, crv, x, y }) };
  }
  const ref = (name: string) => `file:${keys[name]!.file}`;
  process.env.REGION_KEY = 'eu';
  process.env.REGION_ENDPOINTS = JSON.stringify({ eu: 'https://eu.example.test', us: 'https://us.example.test' });
  process.env.VERIFY_KEY_REFS = JSON.stringify([ref('eu-current'), ref('eu-retiring'), ref('us-current')]);
  process.env.SIGNING_KEY_REF = ref('eu-current');
  process.env.SIGNING_KEY_REFS = JSON.stringify([ref('eu-retiring')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
async function get(handler: unknown, path: string, query?: Record<string, string>) {
  const event = {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query ?? {}).toString(),
    headers: {},
    ...(query ? { queryStringParameters: query } : {}),
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET', path } },
  } as unknown as APIGatewayProxyEventV2;
  const result = await (handler as Handler)(event, { functionName: 'test', awsRequestId: 'req-1' } as Context);
  return { status: result.statusCode, headers: result.headers ?? {}, body: String(result.body ?? '') };
}

async function verifiedBy(detached: string, body: string, jwk: JWK) {
  const [protectedHeader, payload, signature] = detached.split('.');
  expect(payload).toBe('');
  return flattenedVerify(
    { protected: protectedHeader!, payload: Buffer.from(body).toString('base64url'), signature: signature! },
    await importJWK(jwk, 'ES256'),
  );
}

describe('the signed JWKS', () => {
  it('signs the JWKS body as served with the current key', async () => {
    // Act
    const document = await get(jwks, '/.well-known/jwks.json');
    const signature = await get(signedJwks, '/.well-known/jwks.json.jws');

    // Assert
    expect(document.headers['content-type']).toBe('application/json');
    expect((JSON.parse(document.body) as { keys: { kid: string }[] }).keys.map((k) => k.kid)).toEqual([
      keys['eu-current']!.kid,
      keys['eu-retiring']!.kid,
      keys['us-current']!.kid,
    ]);
    expect(signature).toMatchObject({ status: 200, headers: { 'content-type': 'application/jose' } });
    const verified = await verifiedBy(signature.body, document.body, keys['eu-current']!.jwk);
    expect(verified.protectedHeader).toMatchObject({ kid: keys['eu-current']!.kid, cty: 'jwk-set+json' });
  });

  it('signs with a retiring key of the region when ?kid= names it', async () => {
    // Act
    const document = await get(jwks, '/.well-known/jwks.json');
    const signature = await get(signedJwks, '/.well-known/jwks.json.jws', { kid: keys['eu-retiring']!.kid });

    // Assert
    expect(signature.status).toBe(200);
    const verified = await verifiedBy(signature.body, document.body, keys['eu-retiring']!.jwk);
    expect(verified.protectedHeader?.kid).toBe(keys['eu-retiring']!.kid);
  });

  it("answers 404 for another region's key and 400 for what is no thumbprint", async () => {
    // Act
    const otherRegion = await get(signedJwks, '/.well-known/jwks.json.jws', { kid: keys['us-current']!.kid });
    const malformed = await get(signedJwks, '/.well-known/jwks.json.jws', { kid: 'not a kid' });

    // Assert
    expect(otherRegion.status).toBe(404);
    expect(otherRegion.headers['content-type']).toBe('application/problem+json');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).errors[0].path).toBe('query.kid');
  });
});
