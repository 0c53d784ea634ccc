/**
 * Local stand-ins for KMS keys and the Cognito issuer: ES256 (P-256) private JWKs in
 * `<dataDir>/keys/`, generated on first start and kept across restarts. The licence-signing keys
 * form a set by slot, as cdk.json's `ucx.signingKeys` does in the cloud (`keys/signing-keys.json`),
 * one key file per region and id, and rotate one step at a time (`rotateSigningKeys`).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { initialSigningKeyId, regionKeys, signingKeyIds, type RegionKey, type SigningKeySet } from '../lib/config';

export const keyFile = (dataDir: string, name: string): string => join(resolve(dataDir), 'keys', `${name}.json`);

/** The `file:` reference of a region's initial signing key (a KMS key's local physical name). */
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

/** The local key set, and since when its next and retiring keys hold their slots. */
export interface LocalSigningKeySet extends SigningKeySet {
  readonly nextSince?: string;
  readonly retiringSince?: string;
}

const setFile = (dataDir: string) => join(resolve(dataDir), 'keys', 'signing-keys.json');

/** The initial key keeps the file it had before the set existed (`keys/<region>.json`). */
export const signingKeyFile = (dataDir: string, regionKey: RegionKey, keyId: string): string =>
  keyFile(dataDir, keyId === initialSigningKeyId ? regionKey : `${regionKey}-${keyId}`);

export function readSigningKeySet(dataDir: string): LocalSigningKeySet {
  const file = setFile(dataDir);
  if (!existsSync(file)) return { current: initialSigningKeyId, retiring: [] };
  const set = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSigningKeySet>;
  if (typeof set.current !== 'string') throw new Error(`${file}: no current key`);
  return { ...set, current: set.current, retiring: set.retiring ?? [] };
}

/** Generates every missing key file of the set, in every region. */
export async function ensureSigningKeys(dataDir: string): Promise<void> {
  const ids = signingKeyIds(readSigningKeySet(dataDir));
  await Promise.all(
    regionKeys.flatMap((region) => ids.map((id) => ensureEs256Key(signingKeyFile(dataDir, region, id)))),
  );
}

const ref = (dataDir: string, region: RegionKey, keyId: string) => `file:${signingKeyFile(dataDir, region, keyId)}`;

/** A region's refs as its functions get them: SIGNING_KEY_REF (current) and SIGNING_KEY_REFS (next, retiring). */
export function signingKeyRefs(dataDir: string, region: RegionKey): { current: string; others: string[] } {
  const set = readSigningKeySet(dataDir);
  return {
    current: ref(dataDir, region, set.current),
    others: signingKeyIds(set)
      .filter((id) => id !== set.current)
      .map((id) => ref(dataDir, region, id)),
  };
}

/** VERIFY_KEY_REFS: every key of the set, region by region, in the order the JWKS lists them. */
export function verifyKeyRefs(dataDir: string): string[] {
  const ids = signingKeyIds(readSigningKeySet(dataDir));
  return regionKeys.flatMap((region) => ids.map((id) => ref(dataDir, region, id)));
}

export type RotationStep = 'introduce' | 'promote' | 'drop';
export const rotationSteps: readonly RotationStep[] = ['introduce', 'promote', 'drop'];

/** The step a rotation takes from `set`: promote a published next, else drop the retiring, else introduce. */
export function nextRotationStep(set: SigningKeySet): RotationStep {
  if (set.next) return 'promote';
  if (set.retiring.length > 0) return 'drop';
  return 'introduce';
}

export interface SigningKeyView {
  readonly slot: 'current' | 'next' | 'retiring';
  readonly id: string;
  /** the key's JWK thumbprint (the `kid` licences and the JWKS name) per region */
  readonly kids: Record<RegionKey, string>;
}

export interface RotationResult {
  readonly step: RotationStep;
  /** the key the step introduced, promoted, or the keys it dropped */
  readonly keyIds: readonly string[];
  readonly before: readonly SigningKeyView[];
  readonly after: readonly SigningKeyView[];
}

export class RotationError extends Error {}

/** The set's keys by slot with their kids (the key files must exist: ensureSigningKeys). */
export async function describeSigningKeys(dataDir: string): Promise<SigningKeyView[]> {
  const set = readSigningKeySet(dataDir);
  const view = async (slot: SigningKeyView['slot'], id: string): Promise<SigningKeyView> => {
    const kids = {} as Record<RegionKey, string>;
    for (const region of regionKeys) {
      const { kty, crv, x, y } = JSON.parse(readFileSync(signingKeyFile(dataDir, region, id), 'utf8')) as JWK;
      kids[region] = await calculateJwkThumbprint({ kty, crv, x, y } as JWK);
    }
    return { slot, id, kids };
  };
  return Promise.all([
    view('current', set.current),
    ...(set.next ? [view('next', set.next)] : []),
    ...set.retiring.map((id) => view('retiring', id)),
  ]);
}

/**
 * One rotation step on the local key set (default: `nextRotationStep`). introduce: a new key
 * becomes next (published, signing nothing). promote: next signs, current retires. drop: the
 * retiring keys leave the set and their files are deleted, so nothing can sign with them again.
 * Functions read the keys at cold start: the running cloud restarts them (local/cloud.ts).
 */
export async function rotateSigningKeys(
  dataDir: string,
  options: { step?: RotationStep; now?: Date } = {},
): Promise<RotationResult> {
  await ensureSigningKeys(dataDir);
  const before = readSigningKeySet(dataDir);
  const step = options.step ?? nextRotationStep(before);
  const at = (options.now ?? new Date()).toISOString();
  let after: LocalSigningKeySet;
  let keyIds: string[];
  switch (step) {
    case 'introduce': {
      if (before.next) throw new RotationError(`key ${before.next} is already next: promote it first`);
      const id = newKeyId(dataDir, before, at);
      after = { ...withoutSince(before), next: id, nextSince: at, ...since(before.retiringSince) };
      keyIds = [id];
      break;
    }
    case 'promote': {
      if (!before.next) throw new RotationError('there is no next key to promote: introduce one first');
      after = { current: before.next, retiring: [before.current, ...before.retiring], retiringSince: at };
      keyIds = [before.next];
      break;
    }
    case 'drop': {
      if (before.retiring.length === 0) throw new RotationError('there is no retiring key to drop');
      after = { ...withoutSince(before), retiring: [], ...(before.nextSince ? { nextSince: before.nextSince } : {}) };
      keyIds = [...before.retiring];
      break;
    }
  }
  const beforeView = await describeSigningKeys(dataDir);
  writeSigningKeySet(dataDir, after);
  await ensureSigningKeys(dataDir);
  if (step === 'drop') {
    for (const id of keyIds)
      for (const region of regionKeys) rmSync(signingKeyFile(dataDir, region, id), { force: true });
  }
  return { step, keyIds, before: beforeView, after: await describeSigningKeys(dataDir) };
}

function writeSigningKeySet(dataDir: string, set: LocalSigningKeySet): void {
  const file = setFile(dataDir);
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(set, null, 2)}\n`);
  renameSync(temp, file);
}

const withoutSince = ({ current, next, retiring }: LocalSigningKeySet): LocalSigningKeySet => ({
  current,
  retiring,
  ...(next ? { next } : {}),
});
const since = (retiringSince: string | undefined) => (retiringSince ? { retiringSince } : {});

/** `k<yyyymmdd>`, with a suffix while that id is in the set or its files exist. */
function newKeyId(dataDir: string, set: SigningKeySet, at: string): string {
  const base = `k${at.slice(0, 10).replace(/-/g, '')}`;
  const taken = (id: string) =>
    signingKeyIds(set).includes(id) || regionKeys.some((r) => existsSync(signingKeyFile(dataDir, r, id)));
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  return id;
}
