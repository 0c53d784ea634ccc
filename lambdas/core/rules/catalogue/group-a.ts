/** The first half of the rule catalogue (PROACTIVE-RULES.md): database, sizing, platform and suite rules. */
import type { Rule } from '../rule';
import { rule as clusterMismatch } from './cluster-mismatch';
import { rule as coresUndersized } from './cores-undersized';
import { rule as cucmCompat } from './cucm-compat';
import { rule as dbExpressCap } from './db-express-cap';
import { rule as dbFulltext } from './db-fulltext';
import { rule as dbGrowthForecast } from './db-growth-forecast';
import { rule as dbMaintenanceOverdue } from './db-maintenance-overdue';
import { rule as firewallOff } from './firewall-off';
import { rule as loggingOff } from './logging-off';
import { rule as memoryUndersized } from './memory-undersized';
import { rule as osEndOfSupport } from './os-end-of-support';
import { rule as patchAge } from './patch-age';
import { rule as sqlEndOfSupport } from './sql-end-of-support';
import { rule as suiteOutdated } from './suite-outdated';

export const groupA: readonly Rule[] = [
  dbExpressCap,
  dbGrowthForecast,
  dbMaintenanceOverdue,
  dbFulltext,
  memoryUndersized,
  coresUndersized,
  firewallOff,
  osEndOfSupport,
  sqlEndOfSupport,
  patchAge,
  suiteOutdated,
  cucmCompat,
  clusterMismatch,
  loggingOff,
];
