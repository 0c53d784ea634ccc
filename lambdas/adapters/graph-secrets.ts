/**
 * The Presence app's secrets (its client credentials, its notification certificate): a Secrets
 * Manager ARN in the cloud, `file:<path>` of the same JSON on the laptop.
 */
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type * as z from 'zod/mini';
import { rethrowThrottling } from './aws-errors';
import { traced } from '../shared/powertools';

const clients = new Map<string, SecretsManagerClient>();
/** A client for the region named in the secret's ARN. */
function secretsManagerFor(arn: string): SecretsManagerClient {
  const region = arn.split(':')[3] || undefined;
  const cacheKey = region ?? 'default';
  let client = clients.get(cacheKey);
  if (!client) {
    client = traced(new SecretsManagerClient(region ? { region } : {}));
    clients.set(cacheKey, client);
  }
  return client;
}

async function secretText(ref: string): Promise<string> {
  if (ref.startsWith('file:')) return readFile(ref.slice('file:'.length), 'utf8');
  try {
    const out = await secretsManagerFor(ref).send(new GetSecretValueCommand({ SecretId: ref }));
    if (out.SecretString === undefined) throw new Error(`secret ${ref} holds no SecretString`);
    return out.SecretString;
  } catch (error) {
    return rethrowThrottling(error, 'The secrets service');
  }
}

/** Reads and validates a JSON secret; the error names the reference, never the secret's content. */
export async function readJsonSecret<T extends z.ZodMiniType>(ref: string, schema: T): Promise<z.infer<T>> {
  const text = await secretText(ref);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`secret ${ref} is not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`secret ${ref} lacks ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}`);
  }
  return parsed.data;
}
