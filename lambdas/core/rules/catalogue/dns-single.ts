/** dns-single: the server has only one DNS server (or none) configured. */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';
import { severitySchema } from './suite-names';

const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

export const rule = defineRule({
  id: 'dns-single',
  description: 'Fewer than 2 distinct DNS servers over the adapters that carry an address',
  reads: ['hardware.network'],
  fields: ['hardware.network:adapters[].dnsServers[]', 'hardware.network:adapters[].ipAddresses[]'],
  config: z.object({
    minServers: z._default(z.int().check(z.gte(1), z.lte(16)), 2),
    severity: z._default(severitySchema, 'warning'),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'Fewer than two DNS servers',
    message:
      "The server's network adapters name {dnsServers|plural:DNS server}[ ({servers|list})]: when it fails, CUCM and directory names stop resolving.",
    nextStep: "Configure a second DNS server on the adapter that carries the server's address.",
  },
  evaluate({ beat, late, config }) {
    if (beat.type !== 'hardware.network' || late) return NO_SIGNALS;
    const servers: string[] = [];
    for (const a of beat.data.adapters)
      if (a.ipAddresses.length > 0) for (const s of a.dnsServers) if (!servers.includes(s)) servers.push(s);
    return [
      {
        subject: 'installation',
        severity: servers.length < config.minServers ? config.severity : null,
        evidence: { dnsServers: servers.length, servers },
      },
    ];
  },
});
