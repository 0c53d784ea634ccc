/**
 * What a Linux host can tell about itself, read with `systeminformation` (and `/proc`, `dpkg`):
 * processes, operating system, installed packages, virtualization, processors, memory, disks and
 * network. Windows-only beats (services, hotfixes, firewall profiles) and the suite's own come from
 * pluggable sources (`pluggable.ts`).
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { arch } from 'node:os';
import { promisify } from 'node:util';
import si from 'systeminformation';
import type { CollectedBeat, Collector } from './types';

const run = promisify(execFile);
const MAX_PROCESSES = 4096;
const MAX_APPLICATIONS = 4096;
// biome-ignore lint/suspicious/noTemplateCurlyInString: ${Package} is dpkg-query's own --showformat field syntax, not a template
const DPKG_FORMAT = '${Package}\t${Version}\t${Origin}\n';

const isIp = (value: string) => /^[0-9.]+$/.test(value) || /^[0-9a-f:.]+$/i.test(value);

async function procNumber(path: string, pattern: RegExp): Promise<number | undefined> {
  try {
    const match = pattern.exec(await readFile(path, 'utf8'));
    return match?.[1] ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function openFiles(pid: number): Promise<number> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length;
  } catch {
    return 0; // another user's process: its descriptors are not ours to count
  }
}

export const linuxProcesses: Collector = {
  name: 'linux:processes.running',
  types: ['processes.running'],
  async collect() {
    const { list } = await si.processes();
    const top = [...list].sort((a, b) => (b.memRss ?? 0) - (a.memRss ?? 0)).slice(0, MAX_PROCESSES);
    const processes = await Promise.all(
      top.map(async (p) => ({
        pid: p.pid,
        name: (p.name || `pid-${p.pid}`).slice(0, 256),
        memoryBytes: Math.max(0, Math.round((p.memRss ?? 0) * 1024)),
        handleCount: await openFiles(p.pid),
        threadCount: (await procNumber(`/proc/${p.pid}/status`, /^Threads:\s+(\d+)/m)) ?? 1,
        cpuPercent: Math.min(100, Math.max(0, Math.round((p.cpu ?? 0) * 100) / 100)),
      })),
    );
    return [{ type: 'processes.running', data: { processes } }];
  },
};

export const linuxOs: Collector = {
  name: 'linux:software.os',
  types: ['software.os'],
  async collect() {
    const os = await si.osInfo();
    const language = (process.env['LANG'] ?? Intl.DateTimeFormat().resolvedOptions().locale).split('.')[0] ?? 'C';
    return [
      {
        type: 'software.os',
        data: {
          edition: `${os.distro}`.slice(0, 128),
          version: `${os.release} (kernel ${os.kernel})`.slice(0, 128),
          language,
          systemDrive: '/',
          systemDirectory: '/usr',
        },
      },
    ];
  },
};

/** Debian packages; the maintainer is a person's name more often than not, so no vendor is sent. */
export const linuxPackages: Collector = {
  name: 'linux:software.installed_applications',
  types: ['software.installed_applications'],
  async collect() {
    let out: string;
    try {
      out = (await run('dpkg-query', ['-W', '-f', DPKG_FORMAT], { maxBuffer: 16 * 1024 * 1024 })).stdout;
    } catch {
      return []; // not a dpkg system: a pluggable source can provide this beat
    }
    const rows = out.split('\n').filter(Boolean).slice(0, MAX_APPLICATIONS);
    const applications = await Promise.all(
      rows.map(async (row) => {
        const [name = '', version = '', origin = ''] = row.split('\t');
        let installDate: string | null = null;
        try {
          installDate = (await stat(`/var/lib/dpkg/info/${name}.list`)).mtime.toISOString().slice(0, 10);
        } catch {
          /* unknown */
        }
        return { name, version: version || null, vendor: origin || null, installPath: null, installDate };
      }),
    );
    return [{ type: 'software.installed_applications', data: { applications } }];
  },
};

export const linuxHardware: Collector = {
  name: 'linux:hardware',
  types: ['hardware.virtualization', 'hardware.processors', 'hardware.memory', 'hardware.disks'],
  async collect() {
    const [system, cpu, mem, layout, disks] = await Promise.all([
      si.system(),
      si.cpu(),
      si.mem(),
      si.memLayout(),
      si.diskLayout(),
    ]);
    const installed = layout.reduce((sum, module) => sum + (module.size ?? 0), 0);
    const beats: CollectedBeat[] = [
      { type: 'hardware.virtualization', data: { isVirtual: Boolean(system.virtual) } },
      {
        type: 'hardware.processors',
        data: {
          processors: Array.from({ length: Math.max(1, cpu.processors || 1) }, () => ({
            name: `${cpu.manufacturer} ${cpu.brand}`.trim().slice(0, 256),
            manufacturer: (cpu.manufacturer || 'unknown').slice(0, 128),
            bitness: /64/.test(arch()) ? 64 : 32,
            cores: Math.max(1, Math.round((cpu.physicalCores || cpu.cores || 1) / Math.max(1, cpu.processors || 1))),
          })),
        },
      },
      // Reserved: what the firmware and kernel keep from the installed modules (0 when the modules are not readable, as in most VMs).
      {
        type: 'hardware.memory',
        data: { totalBytes: mem.total, reservedBytes: installed > mem.total ? installed - mem.total : 0 },
      },
      {
        type: 'hardware.disks',
        data: {
          disks: disks.slice(0, 256).map((d) => ({
            model: (d.name || d.vendor || d.type || 'disk').slice(0, 256),
            sizeBytes: Math.max(0, Math.round(d.size ?? 0)),
          })),
        },
      },
    ];
    return beats;
  },
};

async function dnsServers(): Promise<string[]> {
  try {
    const text = await readFile('/etc/resolv.conf', 'utf8');
    return [...text.matchAll(/^nameserver\s+(\S+)/gm)]
      .map((m) => m[1]!)
      .filter(isIp)
      .slice(0, 16);
  } catch {
    return [];
  }
}

export const linuxNetwork: Collector = {
  name: 'linux:hardware.network',
  types: ['hardware.network'],
  async collect() {
    const [ifaces, gateway, dns] = await Promise.all([
      si.networkInterfaces(),
      si.networkGatewayDefault(),
      dnsServers(),
    ]);
    const list = Array.isArray(ifaces) ? ifaces : [ifaces];
    const adapters = list
      .filter((i) => !i.internal && (i.ip4 || i.ip6))
      .slice(0, 64)
      .map((i) => ({
        name: i.iface.slice(0, 256),
        dhcpEnabled: Boolean(i.dhcp),
        dnsServers: dns,
        gateways: gateway && isIp(gateway) && i.default ? [gateway] : [],
        ipAddresses: [i.ip4, i.ip6].filter((a): a is string => Boolean(a) && isIp(a)),
      }));
    return [{ type: 'hardware.network', data: { adapters } }];
  },
};

/** Every Linux collector. */
export const linuxCollectors: readonly Collector[] = [
  linuxProcesses,
  linuxOs,
  linuxPackages,
  linuxHardware,
  linuxNetwork,
];
