/** What can be licensed: the suite's products, licence kinds and Care levels. */
import * as z from 'zod/mini';

export const products = [
  'attendant-console',
  'call-recording',
  'ivr',
  'acd',
  'digital-fax',
  'phone-lock',
  'contact-manager',
] as const;
export const productSchema = z.enum(products);
export type Product = z.infer<typeof productSchema>;

export const licenseKindSchema = z.enum(['perpetual', 'subscription']);
export type LicenseKind = z.infer<typeof licenseKindSchema>;

export const careLevels = ['basic', 'gold', 'platinum'] as const;
export const careLevelSchema = z.enum(careLevels);
export type CareLevel = z.infer<typeof careLevelSchema>;

/** Higher Care wins when lines of one product carry different levels. */
export const careRank: Record<CareLevel, number> = { basic: 1, gold: 2, platinum: 3 };

export const regionSchema = z.enum(['eu', 'us']);
export type Region = z.infer<typeof regionSchema>;

/** A product → quantity map (activation-key allocations, installation allocations). */
export const allocationSchema = z
  .partialRecord(productSchema, z.int().check(z.gte(1), z.lte(1_000_000)))
  .check(z.refine((a) => Object.keys(a).length > 0, { message: 'allocation must name at least one product' }));
export type Allocation = Partial<Record<Product, number>>;
