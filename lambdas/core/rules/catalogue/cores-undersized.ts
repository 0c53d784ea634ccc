/** cores-undersized: processor cores below the sizing guide for the installation's load. */
import * as z from 'zod/mini';
import { products, type Product } from '../../licensing/catalogue';
import { sizingRequirement } from './sizing-guide';
import { defineRule, STATE_FACT, type Signal } from '../rule';

const NONE: readonly Signal[] = [];

/**
 * The sizing guide (*proposal*, for support to tune): base cores by load (the larger of CUCM users
 * and CUCM devices, a tier applying from its `fromLoad`), plus an extra for each application the
 * licence enables; the sum is rounded up to whole cores.
 */
const sizingGuide = {
  tiers: [
    { fromLoad: 0, cores: 4 },
    { fromLoad: 5_000, cores: 6 },
    { fromLoad: 15_000, cores: 8 },
    { fromLoad: 30_000, cores: 12 },
  ],
  perProductCores: {
    'attendant-console': 0,
    'call-recording': 2,
    ivr: 1,
    acd: 1,
    'digital-fax': 0.5,
    'phone-lock': 0,
    'contact-manager': 1,
  } satisfies Record<Product, number>,
};

export const rule = defineRule({
  id: 'cores-undersized',
  description: 'Processor cores below the sizing guide for the CUCM load and the licensed applications',
  reads: ['hardware.processors', 'ucx.voip'],
  fields: ['hardware.processors:processors[].cores', 'ucx.voip:cucmUsers', 'ucx.voip:cucmDevices', 'licence:products'],
  config: z.object({
    /** the whole tier table (an override replaces it) */
    tiers: z._default(
      z
        .array(z.object({ fromLoad: z.int().check(z.gte(0)), cores: z.number().check(z.positive()) }))
        .check(z.minLength(1)),
      sizingGuide.tiers,
    ),
    /** merged over the guide's: an account overrides the products it names, the others keep the default */
    perProductCores: z.pipe(
      z.prefault(z.partialRecord(z.enum(products), z.number().check(z.gte(0))), {}),
      z.transform((own) => ({ ...sizingGuide.perProductCores, ...own })),
    ),
    /** below the guide: warning; below this share of it: critical */
    criticalRatio: z._default(z.number().check(z.gte(0), z.lte(1)), 0.5),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'Processor cores below the sizing guide',
    message:
      'The server has {cores|plural:processor core}; the sizing guide asks for {requiredCores} for {users|plural:CUCM user}, {devices|plural:device} and the licensed applications.',
    nextStep: 'Give the server (or its virtual machine) at least {requiredCores|plural:core}.',
  },
  evaluate({ beat, memory, licence, config }): readonly Signal[] {
    if (beat.type === 'hardware.processors') {
      let cores = 0;
      for (const p of beat.data.processors) cores += p.cores;
      memory.setFact('cores', cores);
    } else if (beat.type === 'ucx.voip') {
      memory.setFact('users', beat.data.cucmUsers);
      memory.setFact('devices', beat.data.cucmDevices);
    } else return NONE;
    const cores = memory.fact<number>('cores');
    const users = memory.fact<number>('users');
    const devices = memory.fact<number>('devices');
    if (cores === undefined || users === undefined || devices === undefined) return NONE; // load or cores not known yet
    const load = Math.max(users, devices);
    const required = Math.ceil(
      sizingRequirement(config.tiers, (t) => t.cores, config.perProductCores, load, licence.products),
    );
    const evidence = { cores, requiredCores: required, users, devices };
    const severity = cores < required * config.criticalRatio ? 'critical' : cores < required ? 'warning' : null;
    return [{ subject: 'installation', severity, evidence }];
  },
});
