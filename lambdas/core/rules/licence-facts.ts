/**
 * The rules' licence facts derived from an installation's signed licence (products, capacities,
 * Care and terms, telemetry) and its activated nodes: pure, so ingest can put them in the stream
 * record (docs/telemetry.md) and the rules' licence read (adapters/licence-facts.ts) shares them.
 * Care counts only until its end: a licence signed before Care lapsed still names it, and a lapsed
 * Gold or Platinum customer is served as one without Care.
 */
import * as z from 'zod/mini';
import { careRank, careLevelSchema, licenseKindSchema, productSchema, type CareLevel } from '../licensing/catalogue';
import type { LicenceFacts } from './rule';

export const licenceProductFactsSchema = z.object({
  product: productSchema,
  capacity: z.number(),
  kind: licenseKindSchema,
  expiresAt: z.optional(z.string()),
  care: z.optional(z.object({ level: careLevelSchema, expiresAt: z.string() })),
  shortfall: z.optional(z.object({ quantity: z.number(), enforcedAt: z.string() })),
});

const licencePayload = z.object({
  products: z.array(licenceProductFactsSchema),
  telemetry: z.object({ enabled: z.boolean(), intervalSeconds: z.optional(z.int().check(z.positive())) }),
});

/** The best Care level that still covers one of the products at `now`; 'none' once every Care has lapsed. */
export function careLevelAt(products: LicenceFacts['products'], now: Date): CareLevel | 'none' {
  let careLevel: CareLevel | 'none' = 'none';
  for (const p of products) {
    if (!p.care || !(Date.parse(p.care.expiresAt) > now.getTime())) continue;
    if (careLevel === 'none' || careRank[p.care.level] > careRank[careLevel]) careLevel = p.care.level;
  }
  return careLevel;
}

/** The facts' part of a signed licence's payload (its products and telemetry switch and cycle). */
export function licencePayloadOf(jws: string): z.infer<typeof licencePayload> {
  return licencePayload.parse(JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')));
}

interface FactsInstallation {
  readonly installationId: string;
  readonly accountId: string;
  readonly nodes: readonly string[];
}

export function factsFromLicence(jws: string, installation: FactsInstallation, now: Date): LicenceFacts {
  return factsOf(licencePayloadOf(jws), installation, now);
}

/** The facts of a licence's payload (as signed, or as a stream record carries it), Care judged at `now`. */
export function factsOf(
  payload: z.infer<typeof licencePayload>,
  installation: FactsInstallation,
  now: Date,
): LicenceFacts {
  return {
    installationId: installation.installationId,
    accountId: installation.accountId,
    careLevel: careLevelAt(payload.products, now),
    products: payload.products,
    activatedNodes: installation.nodes,
    telemetryEnabled: payload.telemetry.enabled,
    telemetryIntervalSeconds: payload.telemetry.intervalSeconds,
  };
}
