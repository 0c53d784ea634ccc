/** memory-undersized: installed memory below the sizing guide for the installation's load. */
import * as z from 'zod/mini';
import { products, type Product } from '../../licensing/catalogue';
import { sizingRequirement } from './sizing-guide';
import { defineRule, STATE_FACT, type Signal } from '../rule';

const GIB = 1024 ** 3;
const NONE: readonly Signal[] = [];

/**
 * The sizing guide (*proposal*, for support to tune): base memory by load (the larger of CUCM
 * users and CUCM devices, a tier applying from its `fromLoad`), plus an extra for each application
 * the licence enables.
 */
const sizingGuide = {
  tiers: [
    { fromLoad: 0, memoryGiB: 6 },
    { fromLoad: 1_000, memoryGiB: 8 },
    { fromLoad: 5_000, memoryGiB: 12 },
    { fromLoad: 15_000, memoryGiB: 16 },
    { fromLoad: 30_000, memoryGiB: 24 },
  ],
  perProductGiB: {
    'attendant-console': 1,
    'call-recording': 2,
    ivr: 1,
    acd: 1,
    'digital-fax': 1,
    'phone-lock': 0.5,
    'contact-manager': 1,
  } satisfies Record<Product, number>,
};

export const rule = defineRule({
  id: 'memory-undersized',
  description: 'Installed memory below the sizing guide for the CUCM load and the licensed applications',
  reads: ['hardware.memory', 'ucx.voip'],
  fields: ['hardware.memory:totalBytes', 'ucx.voip:cucmUsers', 'ucx.voip:cucmDevices', 'licence:products'],
  config: z.object({
    /** the whole tier table (an override replaces it) */
    tiers: z._default(
      z
        .array(z.object({ fromLoad: z.int().check(z.gte(0)), memoryGiB: z.number().check(z.positive()) }))
        .check(z.minLength(1)),
      sizingGuide.tiers,
    ),
    /** merged over the guide's: an account overrides the products it names, the others keep the default */
    perProductGiB: z.pipe(
      z.prefault(z.partialRecord(z.enum(products), z.number().check(z.gte(0))), {}),
      z.transform((own) => ({ ...sizingGuide.perProductGiB, ...own })),
    ),
    /** below the guide: warning; below this share of it: critical */
    criticalRatio: z._default(z.number().check(z.gte(0), z.lte(1)), 0.5),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'Server memory below the sizing guide',
    message:
      'The server has {totalBytes|gb} of memory; the sizing guide asks for {requiredBytes|gb} for {users|plural:CUCM user}, {devices|plural:device} and the licensed applications.',
    nextStep: 'Add memory to the server (or its virtual machine) to at least {requiredBytes|gb}.',
  },
  evaluate({ beat, memory, licence, config }): readonly Signal[] {
    if (beat.type === 'hardware.memory') memory.setFact('totalBytes', beat.data.totalBytes);
    else if (beat.type === 'ucx.voip') {
      memory.setFact('users', beat.data.cucmUsers);
      memory.setFact('devices', beat.data.cucmDevices);
    } else return NONE;
    const totalBytes = memory.fact<number>('totalBytes');
    const users = memory.fact<number>('users');
    const devices = memory.fact<number>('devices');
    if (totalBytes === undefined || users === undefined || devices === undefined) return NONE; // load or memory not known yet
    const load = Math.max(users, devices);
    const requiredBytes =
      sizingRequirement(config.tiers, (t) => t.memoryGiB, config.perProductGiB, load, licence.products) * GIB;
    const evidence = { totalBytes, requiredBytes, users, devices };
    const severity =
      totalBytes < requiredBytes * config.criticalRatio ? 'critical' : totalBytes < requiredBytes ? 'warning' : null;
    return [{ subject: 'installation', severity, evidence }];
  },
});
