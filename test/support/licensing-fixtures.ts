/**
 * Fixtures for the licensing use cases: a clock that only moves when told, predictable ids, a
 * signer that really signs ES256 (so licences verify against its public key), one principal per role, order
 * factories, and `licensingWorld()` wiring them to the in-memory repository.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  calculateJwkThumbprint,
  CompactSign,
  compactVerify,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { Clock, IdGenerator, Logger, Signer } from '#lambdas/core/ports';
import type { Principal } from '#lambdas/core/licensing/access';
import type { CareLevel, Product, Region } from '#lambdas/core/licensing/catalogue';
import type { LicenseSettings, LicensingDeps } from '#lambdas/core/licensing/deps';
import { depositOrder, type OrderBody, type OrderLine } from '#lambdas/core/licensing/deposit-order';
import { activateInstallation, type ActivationBody } from '#lambdas/core/licensing/activate-installation';
import { createActivationKey, type ActivationKeyBody } from '#lambdas/core/licensing/create-activation-key';
import type { Ed25519Jwk } from '#lambdas/core/licensing/model';
import { LICENSE_ISSUER, type LicenseProduct } from '#lambdas/core/licensing/license';
import { MemoryLicensingRepository } from '#test/support/memory-licensing-repository';

export const T0 = new Date('2026-03-02T09:00:00.000Z');
export const DAY_MS = 86_400_000;

/** A clock standing still at `start` until advanced. */
export class FixedClock implements Clock {
  private current: number;
  constructor(start: Date = T0) {
    this.current = start.getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): Date {
    this.current += ms;
    return this.now();
  }
  advanceDays(days: number): Date {
    return this.advance(days * DAY_MS);
  }
  set(at: Date): void {
    this.current = at.getTime();
  }
}

/** Ids `<prefix>` + an 8-digit counter (`acc_00000001`, valid account ids), secrets `KEY-0001-UCXS`. */
export class SequentialIds implements IdGenerator {
  private next = 1;
  private nextSecret = 1;
  readonly issued: string[] = [];
  id(prefix: string): string {
    const id = `${prefix}${String(this.next++).padStart(8, '0')}`;
    this.issued.push(id);
    return id;
  }
  secret(): string {
    return `KEY-${String(this.nextSecret++).padStart(4, '0')}-UCXS`;
  }
}

/** An ES256 signer over a fresh P-256 key (jose); counts its signatures and can be made to fail. */
export class FakeSigner implements Signer {
  signCalls = 0;
  /** while set, signJws throws it */
  failure: Error | undefined;
  readonly signed: Record<string, unknown>[] = [];

  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicKey: CryptoKey,
    readonly publicJwk: JWK,
    private readonly kid: string,
  ) {}

  static async create(): Promise<FakeSigner> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const publicJwk = await exportJWK(publicKey);
    return new FakeSigner(privateKey, publicKey, publicJwk, await calculateJwkThumbprint(publicJwk));
  }

  async keyId(): Promise<string> {
    return this.kid;
  }

  async signJws(payload: Record<string, unknown>, header: Record<string, unknown>): Promise<string> {
    this.signCalls++;
    if (this.failure) throw this.failure;
    this.signed.push(payload);
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ ...header, alg: 'ES256' })
      .sign(this.privateKey);
  }
}

/** A logger that keeps what it is told, for asserting on survived failures. */
export class RecordingLogger implements Logger {
  readonly warnings: { message: string; details: Record<string, unknown> }[] = [];
  warn(message: string, details: Record<string, unknown>): void {
    this.warnings.push({ message, details });
  }
}

/** The claims of a licence (DESIGN.md "The licence"). */
export interface LicenseClaims {
  iss: string;
  sub: string;
  acc: string;
  iat: number;
  exp: number;
  ver: number;
  products: LicenseProduct[];
  telemetry: { enabled: boolean };
  nextPollSeconds: number;
}

/** Verifies a licence as an offline agent does at `now`: ES256 signature, issuer, not expired. */
export async function verifyLicense(jws: string, signer: FakeSigner, now: Date) {
  const { payload, protectedHeader } = await jwtVerify(jws, signer.publicKey, {
    issuer: LICENSE_ISSUER,
    algorithms: ['ES256'],
    currentDate: now,
  });
  return { header: protectedHeader, claims: payload as unknown as LicenseClaims };
}

/** Verifies the signature only (no time checks), for a licence looked at after the clock moved. */
export async function licenseClaims(jws: string, signer: FakeSigner): Promise<LicenseClaims> {
  const { payload } = await compactVerify(jws, signer.publicKey, { algorithms: ['ES256'] });
  return JSON.parse(new TextDecoder().decode(payload)) as LicenseClaims;
}

// ---- principals -------------------------------------------------------------------------------

export const RESELLER_ID = 'northwind-telecom';
export const OTHER_RESELLER_ID = 'contoso-voice';

export const principals = {
  backoffice: { role: 'backoffice', sub: 'sub-backoffice-1' },
  support: { role: 'support', sub: 'sub-support-1' },
  reseller: (resellerId = RESELLER_ID): Principal => ({ role: 'reseller', sub: `sub-${resellerId}`, resellerId }),
  customer: (accountId: string): Principal => ({ role: 'customer', sub: `sub-${accountId}`, accountId }),
} satisfies Record<string, Principal | ((id: string) => Principal)>;

// ---- orders -------------------------------------------------------------------------------------

export function perpetualLine(
  product: Product,
  quantity: number,
  care?: { level: CareLevel; endsAt: string },
): OrderLine {
  return { product, quantity, kind: 'perpetual', ...(care ? { care } : {}) };
}

export function subscriptionLine(product: Product, quantity: number, startsAt: string, endsAt: string): OrderLine {
  return { product, quantity, kind: 'subscription', startsAt, endsAt };
}

export function newAccountOrder(
  lines: OrderLine[] = [perpetualLine('attendant-console', 10, { level: 'gold', endsAt: '2027-03-01T00:00:00.000Z' })],
  account: { name?: string; region?: Region; resellerId?: string } = {},
): OrderBody {
  return {
    account: {
      create: {
        name: account.name ?? 'Fabrikam Hospital',
        region: account.region ?? 'eu',
        ...(account.resellerId ? { resellerId: account.resellerId } : {}),
      },
    },
    lines,
  };
}

export function existingAccountOrder(accountId: string, lines: OrderLine[]): OrderBody {
  return { account: { id: accountId }, lines };
}

// ---- agents -------------------------------------------------------------------------------------

/** An on-prem agent's Ed25519 identity: its public JWK and RFC 7638 thumbprint. */
export async function agentIdentity(): Promise<{ publicKey: Ed25519Jwk; thumbprint: string }> {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const publicJwk: Ed25519Jwk = { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) };
  return { publicKey: publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

export function activationBody(activationKey: string, publicKey: Ed25519Jwk): ActivationBody {
  return {
    activationKey,
    publicKey,
    installation: { suiteVersion: '14.2.1', nodes: ['ucx-node-a', 'ucx-node-b'] },
  };
}

/** A `verify` callback that accepts the request: the edge already checked its signature. */
export const acceptSignature = async (_publicKey: Ed25519Jwk | null): Promise<void> => {};

// ---- the world ----------------------------------------------------------------------------------

export const ENDPOINTS: Record<Region, string> = {
  eu: 'https://api.eu.ucx-cloud.test',
  us: 'https://api.us.ucx-cloud.test',
};

export interface LicensingWorld {
  repo: MemoryLicensingRepository;
  clock: FixedClock;
  ids: SequentialIds;
  signer: FakeSigner;
  log: RecordingLogger;
  deps: LicensingDeps;
  settings: LicenseSettings;
}

export async function licensingWorld(options: { region?: Region } = {}): Promise<LicensingWorld> {
  const clock = new FixedClock();
  const repo = new MemoryLicensingRepository(clock);
  const ids = new SequentialIds();
  const signer = await FakeSigner.create();
  const log = new RecordingLogger();
  return {
    repo,
    clock,
    ids,
    signer,
    log,
    deps: { repo, clock, ids, log, here: { region: options.region ?? 'eu', endpoints: ENDPOINTS } },
    settings: {
      signer,
      nextPollSeconds: 3600,
      licenseTtlDays: 30,
    },
  };
}

/** The same world (one store: the global table) served from `region`. */
export function inRegion(world: LicensingWorld, region: Region): LicensingWorld {
  return { ...world, deps: { ...world.deps, here: { region, endpoints: ENDPOINTS } } };
}

// ---- flows through the real use cases, for arranging ------------------------------------------

/** Deposits an order as back office and returns the account id. */
export async function seedAccount(world: LicensingWorld, body: OrderBody = newAccountOrder(), orderId?: string) {
  const { result } = await depositOrder(world.deps, principals.backoffice, orderId ?? world.ids.id('PO-'), body);
  return result.accountId;
}

/** Issues an activation key as back office (all free capacity unless `allocation` is given). */
export async function issueKey(
  world: LicensingWorld,
  accountId: string,
  body: Partial<ActivationKeyBody> = {},
): Promise<string> {
  const { activationKey } = await createActivationKey(world.deps, principals.backoffice, accountId, {
    expiresInDays: 30,
    ...body,
  });
  return activationKey;
}

/** Issues a key and activates a new agent identity with it. */
export async function activateNew(world: LicensingWorld, accountId: string, keyBody: Partial<ActivationKeyBody> = {}) {
  const activationKey = await issueKey(world, accountId, keyBody);
  const identity = await agentIdentity();
  const { result } = await activateInstallation(
    world.deps,
    world.settings,
    activationBody(activationKey, identity.publicKey),
    identity.thumbprint,
  );
  return { ...result, activationKey, identity };
}
