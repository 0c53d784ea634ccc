/**
 * Licence facts for the rules, from the installation's own item in the licensing table: its
 * signed licence (products, capacities, Care and terms) and its activated nodes. Cached briefly
 * per container: a batch every few minutes per installation need not re-read an unchanged licence.
 * Care counts only until its end: a licence signed before Care lapsed still names it, and a lapsed
 * Gold or Platinum customer is served as one without Care.
 */
import * as z from 'zod';
import {
  careRank,
  careLevelSchema,
  licenseKindSchema,
  productSchema,
  type CareLevel,
} from '../core/licensing/catalogue';
import type { LicensingRepository } from '../core/licensing/repository';
import { type Clock, systemClock } from '../core/ports';
import type { LicenceFactsSource } from '../core/rules/ports';
import type { LicenceFacts } from '../core/rules/rule';

const licencePayload = z.object({
  products: z.array(
    z.object({
      product: productSchema,
      capacity: z.number(),
      kind: licenseKindSchema,
      expiresAt: z.string().optional(),
      care: z.object({ level: careLevelSchema, expiresAt: z.string() }).optional(),
      shortfall: z.object({ quantity: z.number(), enforcedAt: z.string() }).optional(),
    }),
  ),
  telemetry: z.object({ enabled: z.boolean() }),
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

export function factsFromLicence(
  jws: string,
  installation: { installationId: string; accountId: string; nodes: readonly string[] },
  now: Date,
): LicenceFacts {
  const payload = licencePayload.parse(JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')));
  const careLevel = careLevelAt(payload.products, now);
  return {
    installationId: installation.installationId,
    accountId: installation.accountId,
    careLevel,
    products: payload.products,
    activatedNodes: installation.nodes,
    telemetryEnabled: payload.telemetry.enabled,
  };
}

export class CachedLicenceFacts implements LicenceFactsSource {
  private readonly cache = new Map<string, { at: number; facts: LicenceFacts | undefined }>();

  constructor(
    private readonly repo: Pick<LicensingRepository, 'getInstallation'>,
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 10_000,
    private readonly clock: Clock = systemClock,
  ) {}

  async factsFor(installationId: string): Promise<LicenceFacts | undefined> {
    const now = Date.now();
    const hit = this.cache.get(installationId);
    // the Care level is judged at every read: Care that lapses while the facts are cached stops counting then
    if (hit && now - hit.at < this.ttlMs)
      return hit.facts && { ...hit.facts, careLevel: careLevelAt(hit.facts.products, this.clock.now()) };
    const installation = await this.repo.getInstallation(installationId);
    const facts =
      installation && installation.status === 'active'
        ? factsFromLicence(installation.license.jws, installation, this.clock.now())
        : undefined;
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(installationId, { at: now, facts });
    return facts;
  }
}
