/**
 * A simulated UCX installation for the fleet simulator and tests: a Windows server running the
 * suite, with realistic, varied and evolving data for every beat type, seeded per installation
 * so two runs of the same seed agree. Some installations carry a fault the rules catch: an
 * Express database at 85–95 % of its cap, a handle leak in a suite process, the firewall off, a
 * licence used to about its capacity.
 */
import type { CollectedBeat, Collector } from './types';

export type SimulatedFault = 'express-db-near-cap' | 'handle-leak' | 'firewall-off' | 'licence-near-full';

/** The products whose use the suite counts against the licence (the rules compare it with the capacity). */
export type CountedProduct = 'attendant-console' | 'call-recording' | 'ivr';

export interface SimulationProfile {
  seed: number;
  products: string[];
  faults: SimulatedFault[];
  /**
   * The installation's licensed capacity per counted product: its use then follows it (the suite
   * refuses use beyond the licence), at 30–80 % of it at the busiest hour, or about full with
   * `licence-near-full`. Without it, use is drawn from fixed ranges.
   */
  licensed?: Partial<Record<CountedProduct, number>>;
}

/** Mulberry32: a tiny seeded PRNG, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIB = 1024 ** 3;
const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const int = (r: () => number, min: number, max: number) => min + Math.floor(r() * (max - min + 1));

const SUITE_PROCESSES = [
  'UCX.AttendantConsole.Service.exe',
  'UCX.Recording.Service.exe',
  'UCX.Ivr.Engine.exe',
  'UCX.Acd.Service.exe',
  'UCX.Fax.Service.exe',
  'UCX.Web.exe',
];
const OTHER_PROCESSES = [
  'svchost.exe',
  'lsass.exe',
  'services.exe',
  'explorer.exe',
  'MsMpEng.exe',
  'spoolsv.exe',
  'w3wp.exe',
  'WmiPrvSE.exe',
  'csrss.exe',
  'winlogon.exe',
];
const OS = [
  { edition: 'Windows Server 2019 Standard', version: '10.0.17763' },
  { edition: 'Windows Server 2022 Standard', version: '10.0.20348' },
  { edition: 'Windows Server 2022 Datacenter', version: '10.0.20348' },
  { edition: 'Windows Server 2016 Standard', version: '10.0.14393' },
];
const SQL = [
  { edition: 'Express Edition (64-bit)', version: '15.0.4375.4' },
  { edition: 'Express Edition (64-bit)', version: '16.0.4135.4' },
  { edition: 'Standard Edition (64-bit)', version: '16.0.4135.4' },
  { edition: 'Standard Edition (64-bit)', version: '15.0.4375.4' },
];

/** Consoles connected, desktop and web: a licensed count about three in four on the desktop, else drawn. */
function consoles(licensed: number | undefined, busy: number, r: () => number) {
  const desktop = licensed === undefined ? Math.round(int(r, 2, 20) * busy) : Math.round(licensed * 0.75);
  const web = licensed === undefined ? Math.round(int(r, 0, 8) * busy) : licensed - desktop;
  return [
    { type: 'desktop', count: desktop },
    { type: 'web', count: web },
  ];
}

/** A simulated installation's collectors: one collector yielding every beat type, evolving per cycle. */
export function simulatedInstallation(profile: SimulationProfile): Collector {
  const r = seededRandom(profile.seed);
  const os = pick(r, OS);
  const sql = profile.faults.includes('express-db-near-cap') ? SQL[0]! : pick(r, SQL);
  const cores = pick(r, [2, 4, 4, 8, 8, 16]);
  const memory = pick(r, [8, 16, 16, 32, 64]) * GIB;
  const nodes = Array.from(
    { length: pick(r, [1, 1, 1, 2, 3]) },
    (_, i) => `ucx-node-${profile.seed.toString(36)}-${i + 1}`,
  );
  const subnet = `10.${int(r, 0, 255)}.${int(r, 0, 255)}`;
  const cap = sql.version.startsWith('17') ? 50 * GIB : 10 * GIB;
  let dbBytes = profile.faults.includes('express-db-near-cap') ? cap * (0.85 + r() * 0.1) : cap * (0.05 + r() * 0.5);
  let leakHandles = 800;
  let cycle = 0;
  const suiteProcesses = SUITE_PROCESSES.slice(0, 2 + Math.floor(r() * 4)).map((name, i) => ({
    name,
    pid: 2000 + i * 17 + int(r, 0, 9),
  }));
  const others = OTHER_PROCESSES.map((name, i) => ({ name, pid: 400 + i * 11 }));
  // Inventory is what is installed: drawn once, so the agent sends it on change, not every minute.
  const language = pick(r, ['en-US', 'de-DE', 'it-IT', 'fr-FR']);
  const isVirtual = r() < 0.8;
  const diskBytes = pick(r, [100, 200, 500]) * GIB;
  const installFolderBytes = 3 * GIB + int(r, 0, GIB);
  const voip = {
    cucmVersion: pick(r, ['14.0.1.13900-155', '15.0.1.11900-23', '12.5.1.17900-64']),
    cucmUsers: int(r, 50, 5000),
    cucmDevices: int(r, 60, 6000),
    cucmAddress: `${subnet}.5`,
  };
  const logRetentionDays = pick(r, [7, 14, 30]);
  const maintenanceDaysAgo = int(r, 1, 6);
  // Windows updates a few weeks old, one server in ten unpatched for months: from the seed, so
  // the random draws of a seed stay as they were; days before the simulation started
  const patchDaysAgo = profile.seed % 10 === 0 ? 120 + (profile.seed % 300) : 3 + (profile.seed % 38);
  const patchedOn = (olderDays: number) =>
    new Date(Date.now() - (patchDaysAgo + olderDays) * 86_400_000).toISOString().slice(0, 10);
  const hotfixes = [
    { id: 'KB5044281', installedOn: patchedOn(0) },
    { id: 'KB5043050', installedOn: patchedOn(30) },
  ];
  const nearFull = profile.faults.includes('licence-near-full');
  // drawn only when licensed: the other draws of a seed stay as they were
  const peakShare = !profile.licensed ? 0 : nearFull ? 0.95 : 0.3 + r() * 0.5;
  /** in use of a licensed product: its share of the capacity, by the hour's load and a little noise */
  const inUse = (product: CountedProduct, busy: number): number | undefined => {
    const capacity = profile.licensed?.[product];
    if (capacity === undefined) return undefined;
    return Math.round(capacity * peakShare * (nearFull ? 1 : busy) * (0.9 + r() * 0.2));
  };

  return {
    name: `simulated:${profile.seed}`,
    types: [],
    async collect(): Promise<CollectedBeat[]> {
      cycle++;
      dbBytes *= 1 + r() * 0.002;
      if (profile.faults.includes('handle-leak')) leakHandles += int(r, 300, 600);
      const beats: CollectedBeat[] = [
        {
          type: 'processes.running',
          data: {
            processes: [...suiteProcesses, ...others].map((p, i) => ({
              pid: p.pid,
              name: p.name,
              memoryBytes: int(r, 20, 600) * 1024 * 1024,
              handleCount: i === 0 && profile.faults.includes('handle-leak') ? leakHandles : int(r, 200, 900),
              threadCount: int(r, 8, 60),
              cpuPercent: Math.round(r() * 1500) / 100,
            })),
          },
        },
        {
          type: 'processes.windows_services',
          data: {
            services: [
              ...suiteProcesses.map((p) => ({ pid: p.pid, name: p.name.replace(/\.exe$/, ''), status: 'Running' })),
              { pid: 1900, name: 'MSSQL$UCX', status: 'Running' },
              { pid: null, name: 'wuauserv', status: 'Stopped' },
            ],
          },
        },
        {
          type: 'software.installed_applications',
          data: {
            applications: [
              {
                name: 'UCX Suite',
                version: '2025.2.1',
                vendor: 'UCX',
                installPath: 'C:\\Program Files\\UCX',
                installDate: '2025-09-14',
              },
              {
                name: `Microsoft SQL Server ${sql.version.slice(0, 2) === '16' ? '2022' : '2019'}`,
                version: sql.version,
                vendor: 'Microsoft Corporation',
                installPath: 'C:\\Program Files\\Microsoft SQL Server',
                installDate: '2025-09-14',
              },
              {
                name: 'Microsoft .NET Runtime - 8.0.11',
                version: '8.0.11',
                vendor: 'Microsoft Corporation',
                installPath: null,
                installDate: '2025-09-14',
              },
            ],
          },
        },
        {
          type: 'software.os',
          data: {
            ...os,
            language,
            systemDrive: 'C:',
            systemDirectory: 'C:\\Windows\\system32',
          },
        },
        {
          type: 'software.windows_services',
          data: {
            services: [
              ...suiteProcesses.map((p) => ({
                name: p.name.replace(/\.exe$/, ''),
                startMode: 'auto',
                startIdentity: 'LocalSystem',
                exePath: `C:\\Program Files\\UCX\\${p.name}`,
              })),
              {
                name: 'MSSQL$UCX',
                startMode: 'auto',
                startIdentity: 'NT SERVICE\\MSSQL$UCX',
                exePath: '"C:\\Program Files\\Microsoft SQL Server\\MSSQL15.UCX\\MSSQL\\Binn\\sqlservr.exe" -sUCX',
              },
            ],
          },
        },
        {
          type: 'software.hotfixes',
          data: {
            hotfixes,
          },
        },
        {
          type: 'software.firewall',
          data: profile.faults.includes('firewall-off')
            ? { domain: false, public: false, private: false }
            : { domain: true, public: true, private: true },
        },
        { type: 'hardware.virtualization', data: { isVirtual } },
        {
          type: 'hardware.processors',
          data: {
            processors: [
              { name: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', manufacturer: 'GenuineIntel', bitness: 64, cores },
            ],
          },
        },
        { type: 'hardware.memory', data: { totalBytes: memory, reservedBytes: 64 * 1024 * 1024 } },
        {
          type: 'hardware.disks',
          data: {
            disks: [{ model: 'VMware Virtual disk SCSI Disk Device', sizeBytes: diskBytes }],
          },
        },
        {
          type: 'hardware.network',
          data: {
            adapters: [
              {
                name: 'Ethernet0',
                dhcpEnabled: false,
                dnsServers: [`${subnet}.10`, `${subnet}.11`],
                gateways: [`${subnet}.1`],
                ipAddresses: [`${subnet}.${20 + (profile.seed % 200)}`],
              },
            ],
          },
        },
        {
          type: 'ucx.suite',
          data: {
            version: '2025.2.1',
            platform: 'Windows x64',
            installPath: 'C:\\Program Files\\UCX',
            installFolderBytes,
          },
        },
        { type: 'ucx.cluster', data: { nodes, replicationStrategy: nodes.length > 1 ? 'merge' : 'none' } },
        {
          type: 'ucx.voip',
          data: voip,
        },
        { type: 'ucx.database_server', data: { edition: sql.edition, version: sql.version, instanceName: 'UCX' } },
        {
          type: 'ucx.database',
          data: {
            name: 'UCX_Main',
            sizeBytes: Math.round(dbBytes),
            filePaths: ['D:\\SQLData\\UCX_Main.mdf', 'D:\\SQLData\\UCX_Main_log.ldf'],
            authType: 'windows',
            fullTextCatalogStatus: 'Idle',
            lastMaintenanceAt: new Date(Date.now() - maintenanceDaysAgo * 86_400_000).toISOString(),
          },
        },
        { type: 'ucx.logging', data: { enabled: true, retentionDays: logRetentionDays } },
      ];
      const busy = 0.3 + 0.7 * Math.abs(Math.sin(cycle / 6));
      const counters: Record<string, CollectedBeat> = {
        'attendant-console': {
          type: 'ucx.attendant_console',
          data: {
            connected: consoles(inUse('attendant-console', busy), busy, r),
          },
        },
        'call-recording': {
          type: 'ucx.call_recording',
          data: { activeRecordings: inUse('call-recording', busy) ?? Math.round(int(r, 0, 40) * busy) },
        },
        ivr: { type: 'ucx.ivr', data: { activeCalls: inUse('ivr', busy) ?? Math.round(int(r, 0, 30) * busy) } },
        acd: {
          type: 'ucx.acd',
          data: {
            fifoQueued: Math.round(int(r, 0, 12) * busy),
            campOnQueued: int(r, 0, 3),
            activeConsultations: int(r, 0, 5),
          },
        },
        'digital-fax': { type: 'ucx.digital_fax', data: { transmitting: int(r, 0, 3), receiving: int(r, 0, 3) } },
        'phone-lock': {
          type: 'ucx.phone_lock',
          data: { curriRequestsPerMinute: Math.round(r() * 120 * busy * 10) / 10 },
        },
        'contact-manager': {
          type: 'ucx.contact_manager',
          data: { curriRequestsPerMinute: Math.round(r() * 200 * busy * 10) / 10 },
        },
      };
      for (const product of profile.products) if (counters[product]) beats.push(counters[product]!);
      return beats;
    },
  };
}
