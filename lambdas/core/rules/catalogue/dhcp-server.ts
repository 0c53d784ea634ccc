/** dhcp-server: an adapter of the server takes its address from DHCP (a new address breaks the CUCM integration). */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';
import { clearVanished } from './subjects';
import { namePattern, namePatternSchema, severitySchema } from './suite-names';

const NO_SIGNALS: readonly Signal[] = Object.freeze([]);

export const rule = defineRule({
  id: 'dhcp-server',
  description: 'A network adapter with an IP address has DHCP enabled',
  reads: ['hardware.network'],
  fields: [
    'hardware.network:adapters[].name',
    'hardware.network:adapters[].dhcpEnabled',
    'hardware.network:adapters[].ipAddresses[]',
  ],
  config: z.object({
    severity: z._default(severitySchema, 'warning'),
    /** adapters to leave out by name (e.g. a backup or management NIC); empty: none */
    ignoreAdapters: namePatternSchema(''),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'Network adapter {subject} gets its address from DHCP',
    message:
      "The network adapter {subject} has DHCP on: a new address breaks the CUCM integration and the clients' connections.",
    nextStep:
      "Give the server a static address on {subject} (or keep a DHCP reservation and leave the adapter out in this rule's settings).",
  },
  evaluate({ beat, late, memory, config }) {
    if (beat.type !== 'hardware.network' || late) return NO_SIGNALS;
    const ignore = config.ignoreAdapters ? namePattern(config.ignoreAdapters) : undefined;
    const signals: Signal[] = [];
    for (const a of beat.data.adapters) {
      // an adapter without an address (disconnected, virtual) carries no integration
      if (a.ipAddresses.length === 0 || ignore?.test(a.name) || signals.some((s) => s.subject === a.name)) continue;
      signals.push({
        subject: a.name,
        severity: a.dhcpEnabled ? config.severity : null,
        evidence: { dhcpEnabled: a.dhcpEnabled },
      });
    }
    return clearVanished(memory, signals, STATE_FACT.resolveAfter);
  },
});
