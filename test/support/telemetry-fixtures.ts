/**
 * Telemetry fixtures: one valid beat of every catalogue type, a corpus of personal data, and beats
 * carrying that corpus in every free-text field (the integration suite scans the archive for it).
 */
import { randomUUID } from 'node:crypto';
import {
  beatDataSchemas,
  beatTypes,
  catalogueLeaves,
  type Beat,
  type BeatType,
  type CatalogueLeaf,
} from '#lambdas/core/telemetry/catalogue';
import { freeTextFields } from '#lambdas/core/telemetry/privacy';

export const COLLECTED_AT = '2026-03-02T09:00:00.000Z';

/** A deterministic v4-shaped UUID, `n` in the last group. */
export const beatId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const validData: { [T in BeatType]: Extract<Beat, { type: T }>['data'] } = {
  'processes.running': {
    processes: [
      { pid: 4, name: 'System', memoryBytes: 143_360, handleCount: 3_120, threadCount: 180, cpuPercent: 0.4 },
      {
        pid: 2_344,
        name: 'sqlservr.exe',
        memoryBytes: 1_073_741_824,
        handleCount: 1_210,
        threadCount: 96,
        cpuPercent: 7.5,
      },
      {
        pid: 5_120,
        name: 'UCX.Attendant.Service.exe',
        memoryBytes: 268_435_456,
        handleCount: 812,
        threadCount: 41,
        cpuPercent: 2,
      },
    ],
  },
  'processes.windows_services': {
    services: [
      { pid: 2_344, name: 'MSSQLSERVER', status: 'Running' },
      { pid: null, name: 'UcxFaxService', status: 'Stopped' },
    ],
  },
  'software.installed_applications': {
    applications: [
      {
        name: 'UCX Suite',
        version: '2025.4.1',
        vendor: 'Imagicle',
        installPath: 'C:\\Program Files\\UCX\\',
        installDate: '2025-11-03',
      },
      {
        name: 'Microsoft SQL Server 2019 (64-bit)',
        version: '15.0.2000.5',
        vendor: 'Microsoft Corporation',
        installPath: null,
        installDate: null,
      },
    ],
  },
  'software.os': {
    edition: 'Windows Server 2022 Standard',
    version: '10.0.20348',
    language: 'en-US',
    systemDrive: 'C:',
    systemDirectory: 'C:\\Windows\\system32',
  },
  'software.windows_services': {
    services: [
      {
        name: 'UcxCore',
        startMode: 'auto',
        startIdentity: 'LocalSystem',
        exePath: '"C:\\Program Files\\UCX\\UCX.Core.exe" -service',
      },
      {
        name: 'MSSQLSERVER',
        startMode: 'auto_delayed',
        startIdentity: 'NT Service\\MSSQLSERVER',
        exePath:
          '"C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe" -sMSSQLSERVER',
      },
      {
        name: 'Dnscache',
        startMode: 'manual',
        startIdentity: 'NT AUTHORITY\\NetworkService',
        exePath: 'C:\\Windows\\system32\\svchost.exe -k NetworkService -p',
      },
      { name: 'UcxFax', startMode: 'disabled', startIdentity: null, exePath: 'C:\\Program Files\\UCX\\UCX.Fax.exe' },
    ],
  },
  'software.hotfixes': {
    hotfixes: [
      { id: 'KB5034439', installedOn: '2026-01-14' },
      { id: 'KB5012170', installedOn: null },
    ],
  },
  'software.firewall': { domain: true, public: true, private: false },
  'hardware.virtualization': { isVirtual: true },
  'hardware.processors': {
    processors: [
      { name: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', manufacturer: 'GenuineIntel', bitness: 64, cores: 8 },
    ],
  },
  'hardware.memory': { totalBytes: 17_179_869_184, reservedBytes: 134_217_728 },
  'hardware.disks': { disks: [{ model: 'VMware Virtual disk SCSI Disk Device', sizeBytes: 137_438_953_472 }] },
  'hardware.network': {
    adapters: [
      {
        name: 'vmxnet3 Ethernet Adapter',
        dhcpEnabled: false,
        dnsServers: ['10.0.0.10', '10.0.0.11'],
        gateways: ['10.0.0.1'],
        ipAddresses: ['10.0.0.25', 'fe80::1c2d:3e4f:5a6b:7c8d'],
      },
    ],
  },
  'ucx.suite': {
    version: '2025.4.1',
    platform: 'Windows x64',
    installPath: 'C:\\Program Files\\UCX\\',
    installFolderBytes: 2_147_483_648,
  },
  'ucx.cluster': { nodes: ['ucx-node-1.acme.local', 'ucx-node-2.acme.local'], replicationStrategy: 'merge' },
  'ucx.voip': { cucmVersion: '14.0.1.13900-155', cucmUsers: 1_250, cucmDevices: 1_630, cucmAddress: '10.0.1.5' },
  'ucx.database_server': { edition: 'Standard Edition (64-bit)', version: '15.0.2000.5', instanceName: 'MSSQLSERVER' },
  'ucx.database': {
    name: 'UCX',
    sizeBytes: 5_368_709_120,
    filePaths: ['D:\\SQL Data\\UCX.mdf', 'D:\\SQL Data\\UCX_log.ldf'],
    authType: 'windows',
    fullTextCatalogStatus: 'Idle',
    lastMaintenanceAt: '2026-03-01T02:00:00+01:00',
  },
  'ucx.logging': { enabled: true, retentionDays: 30 },
  'ucx.attendant_console': {
    connected: [
      { type: 'desktop', count: 12 },
      { type: 'web', count: 3 },
    ],
  },
  'ucx.call_recording': { activeRecordings: 7 },
  'ucx.ivr': { activeCalls: 4 },
  'ucx.acd': { fifoQueued: 3, campOnQueued: 1, activeConsultations: 2 },
  'ucx.digital_fax': { transmitting: 1, receiving: 0 },
  'ucx.phone_lock': { curriRequestsPerMinute: 12.5 },
  'ucx.contact_manager': { curriRequestsPerMinute: 40 },
};

/** One valid beat of each of the catalogue's types, ids `beatId(1..25)`; a fresh copy each call. */
export function validBeatOfEveryType(): Beat[] {
  return beatTypes.map(
    (type, i) =>
      ({ id: beatId(i + 1), type, collectedAt: COLLECTED_AT, data: structuredClone(validData[type]) }) as Beat,
  );
}

export function validBeat<T extends BeatType>(
  type: T,
  id = beatId(beatTypes.indexOf(type) + 1),
): Extract<Beat, { type: T }> {
  return { id, type, collectedAt: COLLECTED_AT, data: structuredClone(validData[type]) } as unknown as Extract<
    Beat,
    { type: T }
  >;
}

/**
 * Strings that name a person and must never be stored. Each fits the narrowest free-text field
 * (64 characters); the mixed ones are longer and go where they fit.
 */
export const personalDataCorpus: readonly string[] = [
  'C:\\Users\\mario.rossi\\AppData\\Local\\UCX\\ucx.log',
  'c:/users/mario.rossi/Desktop/export.csv',
  'C:\\Users\\Mario Rossi\\Documents\\UCX',
  '\\\\fileserver\\c$\\Users\\mrossi\\Documents',
  'ACME\\mrossi',
  'acme.local\\mrossi',
  '.\\jdoe',
  'mrossi@ACME',
  'mario.rossi@example.com',
  '/home/jdoe/ucx/agent.log',
  '/Users/jdoe/Library/Logs/UCX',
  'Service runs as ACME\\mrossi',
  'contact mario.rossi@example.com',
  'see C:\\Users\\mario.rossi\\AppData\\x.log',
];

export const personalDataMixedCorpus: readonly string[] = [
  'log C:\\Users\\mario.rossi\\AppData\\x.log by ACME\\mrossi, mail mario.rossi@example.com; /home/jdoe/x',
  '"C:\\Program Files\\UCX\\UCX.Core.exe" -user ACME\\mrossi -notify mario.rossi@example.com -log C:\\Users\\Mario Rossi\\AppData\\Local\\UCX\\core.log -home /home/jdoe/ucx',
  'copied from \\\\fileserver\\c$\\Users\\mrossi\\Documents\\ucx.bak to /Users/jdoe/Backups by .\\jdoe (mrossi@ACME)',
];

/** Substrings none of which may appear anywhere in a stored beat (case-insensitive). */
export const personalDataNeedles: readonly string[] = ['mario.rossi', 'mario rossi', 'mrossi', 'jdoe', 'example.com'];

type Segment = string | symbol;

function setAll(node: unknown, segments: readonly Segment[], value: string): void {
  const [head, ...rest] = segments;
  if (node === null || typeof node !== 'object' || head === undefined) return;
  if (typeof head === 'symbol') {
    const items = node as unknown[];
    for (let i = 0; i < items.length; i++) {
      if (rest.length === 0) items[i] = value;
      else setAll(items[i], rest, value);
    }
    return;
  }
  const record = node as Record<string, unknown>;
  if (rest.length === 0) record[head] = value;
  else setAll(record[head], rest, value);
}

const maxLengthOf = (schema: CatalogueLeaf['schema']): number =>
  Math.min(
    ...(schema._zod.def.checks ?? []).map((c) =>
      c._zod.def.check === 'max_length' ? (c._zod.def as unknown as { maximum: number }).maximum : Infinity,
    ),
  );

/** Each free-text field of each type, with its schema's maximum length. */
export function freeTextSlots(): { type: BeatType; path: string; segments: readonly Segment[]; maxLength: number }[] {
  return beatTypes.flatMap((type) => {
    const leaves = new Map(catalogueLeaves(beatDataSchemas[type]).map((leaf) => [leaf.path, leaf]));
    return freeTextFields(type).map(({ path }) => {
      const leaf = leaves.get(path)!;
      return { type, path, segments: leaf.segments, maxLength: maxLengthOf(leaf.schema) };
    });
  });
}

/**
 * For every free-text field of every type and every corpus string that fits it, a valid beat with
 * that string in that field (in every array item). Fresh random ids, so batches never collide.
 */
export function beatsCarryingPersonalData(): { beat: Beat; path: string; sample: string }[] {
  const samples = [...personalDataCorpus, ...personalDataMixedCorpus];
  return freeTextSlots().flatMap(({ type, path, segments, maxLength }) =>
    samples
      .filter((sample) => sample.length <= maxLength)
      .map((sample) => {
        const beat = validBeat(type, randomUUID());
        setAll(beat.data, segments, sample);
        return { beat, path, sample };
      }),
  );
}
