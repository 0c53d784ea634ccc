/** cluster-mismatch: the cluster nodes reported differ from the nodes given at activation, 2 beats running. */
import * as z from 'zod/mini';
import { defineRule, type Signal } from '../rule';

const NONE: readonly Signal[] = [];
const MAX_LISTED = 16;

/** Length of the host part (before the first dot), unless the name is an IPv4 address. */
function hostLength(name: string): number {
  let digitsOnly = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) return digitsOnly ? name.length : i;
    if (c < 48 || c > 57) digitsOnly = false;
  }
  return name.length;
}

/** Same node: ASCII case-insensitive, on the host part when `short` (ACME-UCX1 = acme-ucx1.acme.local). */
function sameNode(a: string, b: string, short: boolean): boolean {
  const la = short ? hostLength(a) : a.length;
  if (la !== (short ? hostLength(b) : b.length)) return false;
  for (let i = 0; i < la; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}

function contains(list: readonly string[], name: string, short: boolean): boolean {
  for (const item of list) if (sameNode(item, name, short)) return true;
  return false;
}

export const rule = defineRule({
  id: 'cluster-mismatch',
  description: 'Cluster nodes reported differ from the nodes activated (any difference, 2 beats)',
  reads: ['ucx.cluster'],
  fields: ['ucx.cluster:nodes[]', 'licence:activatedNodes'],
  config: z.object({
    /** compare host names only (before the first dot), so FQDN and NetBIOS names of a node match */
    shortNames: z._default(z.boolean(), true),
    severity: z._default(z.enum(['info', 'warning', 'critical']), 'warning'),
  }),
  hysteresis: { openAfter: 2, resolveAfter: 2 },
  explain: {
    title: 'Cluster nodes differ from the activation',
    message:
      'The cluster reports other nodes than the ones given at activation.[ Missing: {missing|list}.][ Not activated: {unexpected|list}.]',
    nextStep:
      'If nodes were added, replaced or renamed, activate the installation again with the current node names; otherwise bring the missing nodes back.',
  },
  evaluate({ beat, licence, config }): readonly Signal[] {
    if (beat.type !== 'ucx.cluster') return NONE;
    const reported = beat.data.nodes;
    const activated = licence.activatedNodes;
    if (activated.length === 0) return NONE; // activation named no nodes: nothing to compare with
    let differs = false;
    for (let i = 0; i < activated.length && !differs; i++)
      differs = !contains(reported, activated[i]!, config.shortNames);
    for (let i = 0; i < reported.length && !differs; i++)
      differs = !contains(activated, reported[i]!, config.shortNames);
    if (!differs)
      return [
        {
          subject: 'installation',
          severity: null,
          evidence: { reported: reported.length, activated: activated.length },
        },
      ];
    const missing = activated.filter((n) => !contains(reported, n, config.shortNames)).slice(0, MAX_LISTED);
    const unexpected = reported.filter((n) => !contains(activated, n, config.shortNames)).slice(0, MAX_LISTED);
    return [{ subject: 'installation', severity: config.severity, evidence: { missing, unexpected } }];
  },
});
