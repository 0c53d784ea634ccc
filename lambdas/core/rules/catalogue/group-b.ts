/** The second half of the starting rule catalogue (../shared/PROACTIVE-RULES.md): processes, services, network, licence, load, silence. */
import type { Rule } from '../rule';
import { rule as acdQueueSurge } from './acd-queue-surge';
import { rule as careExpiring } from './care-expiring';
import { rule as curriRate } from './curri-rate';
import { rule as dhcpServer } from './dhcp-server';
import { rule as diskFootprint } from './disk-footprint';
import { rule as dnsSingle } from './dns-single';
import { rule as faxStuck } from './fax-stuck';
import { rule as processCpuSustained } from './process-cpu-sustained';
import { rule as processHandleLeak } from './process-handle-leak';
import { rule as processMemoryLeak } from './process-memory-leak';
import { rule as processThreadLeak } from './process-thread-leak';
import { rule as serviceStopped } from './service-stopped';
import { rule as telemetrySilent } from './telemetry-silent';
import { rule as usageOverLicence } from './usage-over-licence';

export const groupB: readonly Rule[] = [
  serviceStopped,
  processHandleLeak,
  processMemoryLeak,
  processThreadLeak,
  processCpuSustained,
  diskFootprint,
  dhcpServer,
  dnsSingle,
  usageOverLicence,
  careExpiring,
  acdQueueSurge,
  faxStuck,
  curriRate,
  telemetrySilent,
];
