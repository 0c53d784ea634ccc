/**
 * The terms' table "Information collected by Telemetry Service" kept as data: one row per beat of
 * the terms, each bullet a published item with a stable id. The catalogue must map onto it exactly.
 */

export interface PublishedItem {
  /** stable: `<row id>:<slug>`; never renamed once published */
  readonly id: string;
  /** the bullet as the terms word it (typos fixed, dashes dropped) */
  readonly text: string;
}

export interface PublishedRow {
  /** stable row id; the catalogue's beat type of the same name implements the row */
  readonly id: string;
  /** "Beat" column of the terms */
  readonly beat: string;
  /** "Category" column of the terms */
  readonly category: string;
  /** the sentence introducing the bullets, when the terms have one */
  readonly lead?: string;
  readonly items: readonly PublishedItem[];
  /** footnote the terms attach to the row */
  readonly note?: string;
}

export const publishedList = [
  {
    id: 'processes.running',
    beat: 'Processes',
    category: 'Running Processes',
    lead: 'List of running processes along with process details such as:',
    items: [
      { id: 'processes.running:pid-and-name', text: 'Process ID and name' },
      { id: 'processes.running:used-memory', text: 'used memory' },
      { id: 'processes.running:handle-count', text: 'handle count' },
      { id: 'processes.running:thread-count', text: 'thread count' },
      { id: 'processes.running:cpu-usage', text: 'cpu usage' },
    ],
  },
  {
    id: 'processes.windows_services',
    beat: 'Processes',
    category: 'Windows Services',
    lead: 'List of running Windows Services with details such as:',
    items: [
      { id: 'processes.windows_services:pid-and-name', text: 'Process ID and name' },
      { id: 'processes.windows_services:status', text: 'status' },
    ],
  },
  {
    id: 'software.installed_applications',
    beat: 'Software Info',
    category: 'Installed applications',
    lead: 'List of installed applications, with details such as:',
    items: [
      { id: 'software.installed_applications:name', text: 'name' },
      { id: 'software.installed_applications:version', text: 'version' },
      { id: 'software.installed_applications:vendor', text: 'vendor' },
      { id: 'software.installed_applications:installation-path', text: 'installation path' },
      { id: 'software.installed_applications:installation-date', text: 'installation date' },
    ],
  },
  {
    id: 'software.os',
    beat: 'Software Info',
    category: 'General Operating System info',
    items: [
      { id: 'software.os:windows-edition-name', text: 'Windows edition name' },
      { id: 'software.os:windows-version', text: 'Windows version' },
      { id: 'software.os:windows-language', text: 'Windows Language' },
      { id: 'software.os:system-drive-and-directory', text: 'System drive and directory' },
    ],
  },
  {
    id: 'software.windows_services',
    beat: 'Software Info',
    category: 'Windows Services information',
    lead: 'List of installed Windows Services with details such as:',
    items: [
      { id: 'software.windows_services:service-name', text: 'Service Name' },
      { id: 'software.windows_services:startup-mode', text: 'Startup mode' },
      { id: 'software.windows_services:startup-identity', text: 'Startup Identity' },
      { id: 'software.windows_services:exe-path', text: 'Exe Path' },
    ],
  },
  {
    id: 'software.hotfixes',
    beat: 'Software Info',
    category: 'Installed Windows Updates',
    items: [{ id: 'software.hotfixes:hotfix-packages', text: 'List of installed Windows hotfix packages' }],
  },
  {
    id: 'software.firewall',
    beat: 'Software Info',
    category: 'Windows Firewall',
    lead: 'Whether enabled or not at',
    items: [
      { id: 'software.firewall:domain-level', text: 'Domain level' },
      { id: 'software.firewall:public-level', text: 'Public level' },
      { id: 'software.firewall:private-level', text: 'Private level' },
    ],
  },
  {
    id: 'hardware.virtualization',
    beat: 'Hardware Info',
    category: 'Virtualization Info',
    items: [{ id: 'hardware.virtualization:is-virtual-machine', text: 'Whether it is a virtual machine or not' }],
  },
  {
    id: 'hardware.processors',
    beat: 'Hardware Info',
    category: 'Processors Info',
    lead: 'List of installed processors with details such as:',
    items: [
      { id: 'hardware.processors:name', text: 'name' },
      { id: 'hardware.processors:manufacturer', text: 'manufacturer' },
      { id: 'hardware.processors:bitness', text: 'bitness' },
      { id: 'hardware.processors:number-of-cores', text: 'number of cores' },
    ],
  },
  {
    id: 'hardware.memory',
    beat: 'Hardware Info',
    category: 'Memory',
    items: [
      { id: 'hardware.memory:total-installed', text: 'Total installed memory' },
      { id: 'hardware.memory:reserved', text: 'Reserved memory' },
    ],
  },
  {
    id: 'hardware.disks',
    beat: 'Hardware Info',
    category: 'Disks',
    lead: 'List of installed disks with details such as:',
    items: [
      { id: 'hardware.disks:size', text: 'size' },
      { id: 'hardware.disks:model', text: 'model' },
    ],
  },
  {
    id: 'hardware.network',
    beat: 'Hardware Info',
    category: 'Network',
    lead: 'List of installed networks adapters on the SERVER with details:',
    items: [
      { id: 'hardware.network:adapter-name', text: 'adapter name' },
      { id: 'hardware.network:dhcp-configuration', text: 'DHCP configuration' },
      { id: 'hardware.network:dns-servers', text: 'DNS servers' },
      { id: 'hardware.network:gateways', text: 'Gateways' },
      { id: 'hardware.network:ip-addresses', text: 'IP Addresses' },
    ],
    note: 'The IP Address sent is the UCX Suite server address, so not a personal PC one, meaning NOT a personal data for privacy.',
  },
  {
    id: 'ucx.suite',
    beat: 'UCX Suite',
    category: 'UCX Suite Info',
    items: [
      { id: 'ucx.suite:version', text: 'UCX Suite Version' },
      { id: 'ucx.suite:platform', text: 'UCX Suite Platform' },
      { id: 'ucx.suite:installation-path', text: 'Installation Path' },
      { id: 'ucx.suite:installation-folder-size', text: 'Installation Folder size' },
    ],
  },
  {
    id: 'ucx.cluster',
    beat: 'UCX Suite',
    category: 'UCX Suite Cluster info',
    items: [
      { id: 'ucx.cluster:nodes-list', text: 'UCX Suite nodes list' },
      { id: 'ucx.cluster:database-replication-strategy', text: 'Database replication strategy' },
    ],
  },
  {
    id: 'ucx.voip',
    beat: 'UCX Suite',
    category: 'VOIP architecture',
    items: [
      { id: 'ucx.voip:cucm-version', text: 'CUCM version' },
      { id: 'ucx.voip:cucm-users', text: 'number of CUCM users' },
      { id: 'ucx.voip:cucm-devices', text: 'number of CUCM devices' },
      { id: 'ucx.voip:cucm-ip-address', text: 'CUCM IP address' },
    ],
  },
  {
    id: 'ucx.database_server',
    beat: 'UCX Suite',
    category: 'Database Server',
    items: [
      { id: 'ucx.database_server:sql-server-edition', text: 'SQL Server edition' },
      { id: 'ucx.database_server:sql-server-version', text: 'SQL Server version' },
      { id: 'ucx.database_server:instance-name', text: 'Instance name' },
    ],
  },
  {
    id: 'ucx.database',
    beat: 'UCX Suite',
    category: 'UCX Suite Database',
    items: [
      { id: 'ucx.database:name', text: 'Database name' },
      { id: 'ucx.database:size', text: 'Database size' },
      { id: 'ucx.database:file-paths', text: 'Database file paths' },
      { id: 'ucx.database:authentication-type', text: 'Authentication type (SQL/Windows)' },
      { id: 'ucx.database:full-text-catalog-status', text: 'Full Text Catalog status' },
      { id: 'ucx.database:last-maintenance', text: 'Last maintenance date time' },
    ],
  },
  {
    id: 'ucx.logging',
    beat: 'UCX Suite',
    category: 'Logging Configuration',
    items: [
      { id: 'ucx.logging:enabled', text: 'whether logging enabled or not' },
      { id: 'ucx.logging:retention', text: 'retention' },
    ],
  },
  {
    id: 'ucx.attendant_console',
    beat: 'UCX Suite',
    category: 'Attendant Console',
    items: [{ id: 'ucx.attendant_console:connected-per-type', text: 'number of connected Attendant Console per type' }],
  },
  {
    id: 'ucx.call_recording',
    beat: 'UCX Suite',
    category: 'Call Recording',
    items: [{ id: 'ucx.call_recording:calls-being-recorded', text: 'number of calls being recorded' }],
  },
  {
    id: 'ucx.ivr',
    beat: 'UCX Suite',
    category: 'IVR',
    items: [{ id: 'ucx.ivr:active-calls', text: 'number of active calls' }],
  },
  {
    id: 'ucx.acd',
    beat: 'UCX Suite',
    category: 'ACD',
    items: [
      { id: 'ucx.acd:fifo-queued', text: 'number of queued calls in FIFO queues' },
      { id: 'ucx.acd:camp-on-queued', text: 'number of queued calls in CampOn queues' },
      { id: 'ucx.acd:active-consultations', text: 'number of active consultation calls' },
    ],
  },
  {
    id: 'ucx.digital_fax',
    beat: 'UCX Suite',
    category: 'Digital Fax',
    items: [
      { id: 'ucx.digital_fax:transmitting', text: 'number of fax being transmitted' },
      { id: 'ucx.digital_fax:receiving', text: 'number of fax being received' },
    ],
  },
  {
    id: 'ucx.phone_lock',
    beat: 'UCX Suite',
    category: 'Phone Lock',
    items: [{ id: 'ucx.phone_lock:curri-request-rate', text: 'ECC-Curri Request rate' }],
  },
  {
    id: 'ucx.contact_manager',
    beat: 'UCX Suite',
    category: 'Contact Manager',
    items: [{ id: 'ucx.contact_manager:curri-request-rate', text: 'ECC-Curri Request rate' }],
  },
] as const satisfies readonly PublishedRow[];

export type PublishedRowId = (typeof publishedList)[number]['id'];
export type PublishedItemId = (typeof publishedList)[number]['items'][number]['id'];

/** Every published item with the row it belongs to, for lookups by id. */
export const publishedItems: ReadonlyMap<string, PublishedItem & { row: PublishedRow }> = new Map(
  publishedList.flatMap((row: PublishedRow) => row.items.map((item) => [item.id, { ...item, row }] as const)),
);
