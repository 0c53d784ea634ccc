/**
 * Local stand-ins for KMS keys and the Cognito issuer: ES256 (P-256) private JWKs in
 * `<dataDir>/keys/`, generated on first start and kept across restarts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export const keyFile = (dataDir: string, name: string): string => join(resolve(dataDir), 'keys', `${name}.json`);

/** The `file:` reference a Lambda receives instead of a KMS key ARN. */
export const keyRef = (dataDir: string, regionKey: string): string => `file:${keyFile(dataDir, regionKey)}`;

/** Reads the private JWK at `file`, generating it first when absent. */
export async function ensureEs256Key(file: string): Promise<JWK> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const full: JWK = { ...jwk, kid, alg: 'ES256', use: 'sig' };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
  return full;
}
