/** disk-footprint: the suite's folder and its databases approach the size of the system disk. */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';

const HOUR = 3_600_000;
const SUITE = 'suiteBytes';
const DISK = 'diskBytes';
/** fact: database name → [sizeBytes, collected at] */
const DATABASES = 'databases';
const MAX_DATABASES = 32;
const NO_DATABASES: Readonly<Record<string, readonly [number, number]>> = Object.freeze({});
const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

export const rule = defineRule({
  id: 'disk-footprint',
  description: 'Suite installation folder plus databases reach 70 % (warning) or 85 % (critical) of the system disk',
  reads: ['ucx.suite', 'ucx.database', 'hardware.disks'],
  fields: [
    'ucx.suite:installFolderBytes',
    'ucx.database:name',
    'ucx.database:sizeBytes',
    'hardware.disks:disks[].sizeBytes',
  ],
  config: z.object({
    warnRatio: z._default(z.number().check(z.gte(0), z.lte(1)), 0.7),
    criticalRatio: z._default(z.number().check(z.gte(0), z.lte(1)), 0.85),
    /**
     * the catalogue gives disks without drive letters: `first` takes disk 0 (the system disk on a
     * standard install), `largest` the biggest one (for servers whose data disk comes first)
     */
    systemDisk: z._default(z.enum(['first', 'largest']), 'first'),
    /** a database not reported for this long no longer counts (dropped or moved) */
    databaseStaleHours: z._default(z.number().check(z.positive()), 72),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'Suite and databases fill {percent|percent} of the system disk',
    message:
      "The suite's folder ({suiteBytes|gb}) and its databases ({databaseBytes|gb}) take {percent|percent} of the {diskBytes|gb} system disk.",
    nextStep:
      'Free space (old recordings, logs, backups on the same disk), move the databases or recordings to a data disk, or enlarge the system disk.',
  },
  evaluate({ beat, at, late, memory, config }) {
    if (late) return NO_SIGNALS; // these facts are latest-wins: an older beat changes nothing
    const databases = memory.fact<Readonly<Record<string, readonly [number, number]>>>(DATABASES) ?? NO_DATABASES;
    const staleBefore = at - config.databaseStaleHours * HOUR;
    if (beat.type === 'ucx.suite') memory.setFact(SUITE, beat.data.installFolderBytes);
    else if (beat.type === 'hardware.disks') {
      let size: number | undefined;
      for (const d of beat.data.disks) {
        if (size === undefined || (config.systemDisk === 'largest' && d.sizeBytes > size)) size = d.sizeBytes;
        if (config.systemDisk === 'first') break;
      }
      memory.setFact(DISK, size);
    } else if (beat.type === 'ucx.database') {
      const next: Record<string, readonly [number, number]> = {};
      let kept = 0;
      for (const name in databases)
        if (name !== beat.data.name && databases[name]![1] >= staleBefore && kept < MAX_DATABASES - 1) {
          next[name] = databases[name]!;
          kept++;
        }
      next[beat.data.name] = [beat.data.sizeBytes, at];
      memory.setFact(DATABASES, next);
    } else return NO_SIGNALS;

    const suiteBytes = memory.fact<number>(SUITE);
    const diskBytes = memory.fact<number>(DISK);
    if (suiteBytes === undefined || !diskBytes) return NO_SIGNALS; // not all facts known yet
    let databaseBytes = 0;
    for (const [bytes, seen] of Object.values(memory.fact<Record<string, [number, number]>>(DATABASES) ?? {}))
      if (seen >= staleBefore) databaseBytes += bytes;
    const ratio = (suiteBytes + databaseBytes) / diskBytes;
    const severity = ratio >= config.criticalRatio ? 'critical' : ratio >= config.warnRatio ? 'warning' : null;
    return [
      {
        subject: 'installation',
        severity,
        evidence: { suiteBytes, databaseBytes, diskBytes, percent: Math.round(ratio * 1000) / 10 },
      },
    ];
  },
});
