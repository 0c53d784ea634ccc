/**
 * The telemetry catalogue v1: one zod schema per beat type, exactly the `data` fields DESIGN lists,
 * each field tied to the published item of the terms it implements; JSON Schema and README table.
 */
import * as z from 'zod/mini';
import { withMeta } from '../schema-meta';
import { onFirstUse } from '../on-first-use';
import type { PublishedItemId } from './published-list';

export const CATALOGUE_VERSION = 'v1';

export const beatTypes = [
  'processes.running',
  'processes.windows_services',
  'software.installed_applications',
  'software.os',
  'software.windows_services',
  'software.hotfixes',
  'software.firewall',
  'hardware.virtualization',
  'hardware.processors',
  'hardware.memory',
  'hardware.disks',
  'hardware.network',
  'ucx.suite',
  'ucx.cluster',
  'ucx.voip',
  'ucx.database_server',
  'ucx.database',
  'ucx.logging',
  'ucx.attendant_console',
  'ucx.call_recording',
  'ucx.ivr',
  'ucx.acd',
  'ucx.digital_fax',
  'ucx.phone_lock',
  'ucx.contact_manager',
] as const;
export const beatTypeSchema = z.enum(beatTypes, {
  error: `not a beat type of catalogue ${CATALOGUE_VERSION} (see GET /v1/telemetry/catalogue)`,
});
export type BeatType = z.infer<typeof beatTypeSchema>;

/**
 * Beat types describing what is installed: an agent sends them on change or daily, not every
 * collection round like the counters (the rules keep every one's snapshot as it arrives).
 */
export const inventoryBeatTypes: ReadonlySet<BeatType> = new Set<BeatType>([
  'software.installed_applications',
  'software.os',
  'software.windows_services',
  'software.hotfixes',
  'software.firewall',
  'hardware.virtualization',
  'hardware.processors',
  'hardware.memory',
  'hardware.disks',
  'hardware.network',
  'ucx.suite',
  'ucx.cluster',
  'ucx.voip',
  'ucx.database_server',
  'ucx.logging',
]);

/**
 * Marks a free-text field whose whole value is a Windows account (a service's start identity):
 * privacy keeps it only when it is a built-in identity. Shows in the JSON Schema as `x-ucx-text`.
 */
export const IDENTITY_TEXT = 'service-identity';

// Bounds: one beat stays well under the 8 MiB request limit even at every maximum.
const MAX_NAME = 256; // Windows service names, process image names, adapter names
const MAX_SHORT = 128; // versions, editions, statuses
const MAX_PATH = 1024; // long paths are possible; longer is not a real installation
const MAX_COMMAND_LINE = 2048; // a service's ImagePath holds arguments too
const MAX_HOSTNAME = 253;

const text = (max: number) => z.string().check(z.maxLength(max));
const name = (max = MAX_NAME) => z.string().check(z.minLength(1), z.maxLength(max));
const identityText = withMeta(z.string().check(z.maxLength(MAX_NAME)), { 'x-ucx-text': IDENTITY_TEXT });
const count = () => z.int().check(z.gte(0));
const bytes = () => z.int().check(z.gte(0));
/** a calendar date, `YYYY-MM-DD` */
const isoDate = () => z.iso.date();
/** an instant with its offset, e.g. `2026-03-02T09:00:00Z` or `2026-03-02T10:00:00+01:00` */
const isoDateTime = () => z.iso.datetime({ offset: true });
const ipAddress = () => z.union([z.ipv4(), z.ipv6()]);
const rate = () => z.number().check(z.gte(0), z.lte(1_000_000));

type ObjectFactory = typeof z.strictObject;

/**
 * The schemas are written once and built twice: strict (the contract, unknown keys are issues the
 * sanitizer reports) and stripping (to keep the known part once unknown keys were reported).
 */
function buildDataSchemas(object: ObjectFactory) {
  return {
    'processes.running': object({
      processes: z
        .array(
          object({
            pid: count(),
            name: name(),
            memoryBytes: bytes(),
            handleCount: count(),
            threadCount: count(),
            /** share of the whole machine's CPU capacity */
            cpuPercent: z.number().check(z.gte(0), z.lte(100)),
          }),
        )
        .check(z.maxLength(4096)),
    }),
    'processes.windows_services': object({
      services: z
        .array(object({ pid: z.nullable(count()), name: name(), status: text(MAX_SHORT) }))
        .check(z.maxLength(2048)),
    }),
    'software.installed_applications': object({
      applications: z
        .array(
          object({
            name: name(),
            version: z.nullable(text(MAX_SHORT)),
            vendor: z.nullable(text(MAX_NAME)),
            installPath: z.nullable(text(MAX_PATH)),
            installDate: z.nullable(isoDate()),
          }),
        )
        .check(z.maxLength(4096)),
    }),
    'software.os': object({
      edition: text(MAX_SHORT),
      version: text(MAX_SHORT),
      language: text(MAX_SHORT),
      systemDrive: text(MAX_SHORT),
      systemDirectory: text(MAX_PATH),
    }),
    'software.windows_services': object({
      services: z
        .array(
          object({
            name: name(),
            startMode: z.enum(['auto', 'auto_delayed', 'manual', 'disabled']),
            startIdentity: z.nullable(identityText),
            exePath: text(MAX_COMMAND_LINE),
          }),
        )
        .check(z.maxLength(2048)),
    }),
    'software.hotfixes': object({
      hotfixes: z.array(object({ id: name(64), installedOn: z.nullable(isoDate()) })).check(z.maxLength(4096)),
    }),
    'software.firewall': object({ domain: z.boolean(), public: z.boolean(), private: z.boolean() }),
    'hardware.virtualization': object({ isVirtual: z.boolean() }),
    'hardware.processors': object({
      processors: z
        .array(
          object({
            name: text(MAX_NAME),
            manufacturer: text(MAX_SHORT),
            bitness: z.literal([32, 64]),
            cores: z.int().check(z.gte(1), z.lte(4096)),
          }),
        )
        .check(z.maxLength(256)),
    }),
    'hardware.memory': object({ totalBytes: bytes(), reservedBytes: bytes() }),
    'hardware.disks': object({
      disks: z.array(object({ model: text(MAX_NAME), sizeBytes: bytes() })).check(z.maxLength(256)),
    }),
    'hardware.network': object({
      adapters: z
        .array(
          object({
            name: name(),
            dhcpEnabled: z.boolean(),
            dnsServers: z.array(ipAddress()).check(z.maxLength(16)),
            gateways: z.array(ipAddress()).check(z.maxLength(16)),
            ipAddresses: z.array(ipAddress()).check(z.maxLength(64)),
          }),
        )
        .check(z.maxLength(64)),
    }),
    'ucx.suite': object({
      version: name(MAX_SHORT),
      platform: text(MAX_SHORT),
      installPath: text(MAX_PATH),
      installFolderBytes: bytes(),
    }),
    'ucx.cluster': object({
      nodes: z.array(name(MAX_HOSTNAME)).check(z.maxLength(64)),
      replicationStrategy: text(MAX_SHORT),
    }),
    'ucx.voip': object({
      cucmVersion: text(MAX_SHORT),
      cucmUsers: count(),
      cucmDevices: count(),
      cucmAddress: ipAddress(),
    }),
    'ucx.database_server': object({
      edition: text(MAX_SHORT),
      version: text(MAX_SHORT),
      instanceName: text(MAX_SHORT),
    }),
    'ucx.database': object({
      name: name(MAX_SHORT),
      sizeBytes: bytes(),
      filePaths: z.array(text(MAX_PATH)).check(z.maxLength(64)),
      authType: z.enum(['sql', 'windows']),
      fullTextCatalogStatus: text(MAX_SHORT),
      lastMaintenanceAt: z.nullable(isoDateTime()),
    }),
    'ucx.logging': object({ enabled: z.boolean(), retentionDays: z.int().check(z.gte(0), z.lte(36_500)) }),
    'ucx.attendant_console': object({
      connected: z.array(object({ type: name(MAX_SHORT), count: count() })).check(z.maxLength(64)),
    }),
    'ucx.call_recording': object({ activeRecordings: count() }),
    'ucx.ivr': object({ activeCalls: count() }),
    'ucx.acd': object({ fifoQueued: count(), campOnQueued: count(), activeConsultations: count() }),
    'ucx.digital_fax': object({ transmitting: count(), receiving: count() }),
    'ucx.phone_lock': object({ curriRequestsPerMinute: rate() }),
    'ucx.contact_manager': object({ curriRequestsPerMinute: rate() }),
  } satisfies Record<BeatType, z.ZodMiniObject>;
}

type DataSchemas = ReturnType<typeof buildDataSchemas>;

/** Built on first use: most functions import the catalogue for its names, and ~6 ms of a cold start is the build. */
function builtOnFirstUse(build: () => DataSchemas): DataSchemas {
  const built = onFirstUse(build);
  const schemas = {} as DataSchemas;
  for (const type of beatTypes) Object.defineProperty(schemas, type, { enumerable: true, get: () => built()[type] });
  return Object.freeze(schemas);
}

// @__PURE__: a bundle that never reads them leaves both, and the schemas' definitions, out (~4 KB)
/** The contract: exactly these fields; an unknown key anywhere is an issue. */
export const beatDataSchemas = /* @__PURE__ */ builtOnFirstUse(() => buildDataSchemas(z.strictObject));
/** Same fields, unknown keys silently stripped: used after the sanitizer has reported them. */
export const beatDataStrippingSchemas = /* @__PURE__ */ builtOnFirstUse(() =>
  buildDataSchemas(z.object as unknown as ObjectFactory),
);

export type BeatDataSchemas = DataSchemas;
export type BeatData<T extends BeatType = BeatType> = z.infer<BeatDataSchemas[T]>;

export const beatIdSchema = z.uuid();
export const collectedAtSchema = isoDateTime();

/** The envelope every beat shares; `data` is judged by the schema of its `type`. */
export const beatEnvelopeSchema = z.object({
  id: beatIdSchema,
  type: beatTypeSchema,
  collectedAt: collectedAtSchema,
  data: z.record(z.string(), z.unknown()),
});
export type BeatEnvelope = z.infer<typeof beatEnvelopeSchema>;

/** A beat as stored: envelope and data validated, sanitized. */
export type Beat = {
  [T in BeatType]: { id: string; type: T; collectedAt: string; data: BeatData<T> };
}[BeatType];

/**
 * Catalogue field (leaf path, `[]` marking array items) → the published item it implements.
 * The unit tests prove both directions: every field has an item, every item has a field.
 */
export const fieldSources: { readonly [T in BeatType]: Readonly<Record<string, PublishedItemId>> } = {
  'processes.running': {
    'processes[].pid': 'processes.running:pid-and-name',
    'processes[].name': 'processes.running:pid-and-name',
    'processes[].memoryBytes': 'processes.running:used-memory',
    'processes[].handleCount': 'processes.running:handle-count',
    'processes[].threadCount': 'processes.running:thread-count',
    'processes[].cpuPercent': 'processes.running:cpu-usage',
  },
  'processes.windows_services': {
    'services[].pid': 'processes.windows_services:pid-and-name',
    'services[].name': 'processes.windows_services:pid-and-name',
    'services[].status': 'processes.windows_services:status',
  },
  'software.installed_applications': {
    'applications[].name': 'software.installed_applications:name',
    'applications[].version': 'software.installed_applications:version',
    'applications[].vendor': 'software.installed_applications:vendor',
    'applications[].installPath': 'software.installed_applications:installation-path',
    'applications[].installDate': 'software.installed_applications:installation-date',
  },
  'software.os': {
    edition: 'software.os:windows-edition-name',
    version: 'software.os:windows-version',
    language: 'software.os:windows-language',
    systemDrive: 'software.os:system-drive-and-directory',
    systemDirectory: 'software.os:system-drive-and-directory',
  },
  'software.windows_services': {
    'services[].name': 'software.windows_services:service-name',
    'services[].startMode': 'software.windows_services:startup-mode',
    'services[].startIdentity': 'software.windows_services:startup-identity',
    'services[].exePath': 'software.windows_services:exe-path',
  },
  'software.hotfixes': {
    'hotfixes[].id': 'software.hotfixes:hotfix-packages',
    'hotfixes[].installedOn': 'software.hotfixes:hotfix-packages',
  },
  'software.firewall': {
    domain: 'software.firewall:domain-level',
    public: 'software.firewall:public-level',
    private: 'software.firewall:private-level',
  },
  'hardware.virtualization': { isVirtual: 'hardware.virtualization:is-virtual-machine' },
  'hardware.processors': {
    'processors[].name': 'hardware.processors:name',
    'processors[].manufacturer': 'hardware.processors:manufacturer',
    'processors[].bitness': 'hardware.processors:bitness',
    'processors[].cores': 'hardware.processors:number-of-cores',
  },
  'hardware.memory': { totalBytes: 'hardware.memory:total-installed', reservedBytes: 'hardware.memory:reserved' },
  'hardware.disks': { 'disks[].model': 'hardware.disks:model', 'disks[].sizeBytes': 'hardware.disks:size' },
  'hardware.network': {
    'adapters[].name': 'hardware.network:adapter-name',
    'adapters[].dhcpEnabled': 'hardware.network:dhcp-configuration',
    'adapters[].dnsServers[]': 'hardware.network:dns-servers',
    'adapters[].gateways[]': 'hardware.network:gateways',
    'adapters[].ipAddresses[]': 'hardware.network:ip-addresses',
  },
  'ucx.suite': {
    version: 'ucx.suite:version',
    platform: 'ucx.suite:platform',
    installPath: 'ucx.suite:installation-path',
    installFolderBytes: 'ucx.suite:installation-folder-size',
  },
  'ucx.cluster': {
    'nodes[]': 'ucx.cluster:nodes-list',
    replicationStrategy: 'ucx.cluster:database-replication-strategy',
  },
  'ucx.voip': {
    cucmVersion: 'ucx.voip:cucm-version',
    cucmUsers: 'ucx.voip:cucm-users',
    cucmDevices: 'ucx.voip:cucm-devices',
    cucmAddress: 'ucx.voip:cucm-ip-address',
  },
  'ucx.database_server': {
    edition: 'ucx.database_server:sql-server-edition',
    version: 'ucx.database_server:sql-server-version',
    instanceName: 'ucx.database_server:instance-name',
  },
  'ucx.database': {
    name: 'ucx.database:name',
    sizeBytes: 'ucx.database:size',
    'filePaths[]': 'ucx.database:file-paths',
    authType: 'ucx.database:authentication-type',
    fullTextCatalogStatus: 'ucx.database:full-text-catalog-status',
    lastMaintenanceAt: 'ucx.database:last-maintenance',
  },
  'ucx.logging': { enabled: 'ucx.logging:enabled', retentionDays: 'ucx.logging:retention' },
  'ucx.attendant_console': {
    'connected[].type': 'ucx.attendant_console:connected-per-type',
    'connected[].count': 'ucx.attendant_console:connected-per-type',
  },
  'ucx.call_recording': { activeRecordings: 'ucx.call_recording:calls-being-recorded' },
  'ucx.ivr': { activeCalls: 'ucx.ivr:active-calls' },
  'ucx.acd': {
    fifoQueued: 'ucx.acd:fifo-queued',
    campOnQueued: 'ucx.acd:camp-on-queued',
    activeConsultations: 'ucx.acd:active-consultations',
  },
  'ucx.digital_fax': { transmitting: 'ucx.digital_fax:transmitting', receiving: 'ucx.digital_fax:receiving' },
  'ucx.phone_lock': { curriRequestsPerMinute: 'ucx.phone_lock:curri-request-rate' },
  'ucx.contact_manager': { curriRequestsPerMinute: 'ucx.contact_manager:curri-request-rate' },
};

/** A leaf of a data schema: its path (`[]` marks array items) and its zod schema, wrappers removed. */
export interface CatalogueLeaf {
  readonly path: string;
  readonly segments: readonly (string | typeof ARRAY_ITEMS)[];
  readonly schema: z.ZodMiniType;
}
export const ARRAY_ITEMS = Symbol('array items');

/** Walks a data schema down to its leaves (scalars and arrays of scalars end in a leaf). */
export function catalogueLeaves(schema: z.ZodMiniType): CatalogueLeaf[] {
  const leaves: CatalogueLeaf[] = [];
  const visit = (node: z.ZodMiniType, segments: (string | typeof ARRAY_ITEMS)[]): void => {
    if (node instanceof z.ZodMiniNullable || node instanceof z.ZodMiniOptional) {
      visit(node.def.innerType as z.ZodMiniType, segments);
    } else if (node instanceof z.ZodMiniObject) {
      for (const [key, child] of Object.entries(node.shape)) visit(child as z.ZodMiniType, [...segments, key]);
    } else if (node instanceof z.ZodMiniArray) {
      visit(node.def.element as z.ZodMiniType, [...segments, ARRAY_ITEMS]);
    } else {
      const path = segments
        .map((s) => (s === ARRAY_ITEMS ? '[]' : `.${s}`))
        .join('')
        .replace(/^\./, '');
      leaves.push({ path, segments, schema: node });
    }
  };
  visit(schema, []);
  return leaves;
}

/** Field paths of one beat type, read from its schema (never from a hand-kept list). */
export function catalogueFieldPaths(type: BeatType): string[] {
  return catalogueLeaves(beatDataSchemas[type]).map((leaf) => leaf.path);
}
