/**
 * Audit events in words: each action's name and its details as a sentence a person reads, instead
 * of `key: {"json"}`. An action this file does not know keeps its facts, each in words.
 */
import { productNames } from './terms';

type Details = Readonly<Record<string, unknown>>;

const actionNames: Readonly<Record<string, string>> = {
  'account.created': 'Account created',
  'account.reseller-set': 'Reseller set',
  'account.reseller-removed': 'Reseller removed',
  'account.closed': 'Account closed',
  'account.reopened': 'Account reopened',
  'account.exported': 'Account data exported',
  'account.erased': 'Account data erased',
  'order.deposited': 'Order deposited',
  'activation-key.created': 'Activation key created',
  'activation-key.revoked': 'Activation key revoked',
  'installation.activated': 'Installation activated',
  'installation.allocation-changed': 'Allocation changed',
  'installation.allocation-reduced': 'Allocation reduced',
  'installation.deactivated': 'Installation deactivated',
  'installation.stale-notice': 'Silent installation noticed',
  'stale-release.enabled': 'Automatic release switched on',
  'stale-release.disabled': 'Automatic release switched off',
  'telemetry.enabled': 'Telemetry switched on',
  'telemetry.disabled': 'Telemetry switched off',
  'telemetry.interval-set': 'Telemetry cycle set by support',
  'telemetry.interval-ended': 'Telemetry cycle back to normal',
  'terms.published': 'Terms published',
  'terms.accepted': 'Terms accepted',
  'terms.objected': 'Terms objected to',
  'terms.silent-consent': 'Terms accepted by silence',
  'user.invited': 'Person invited',
  'user.removed': 'Person removed',
  'presence.enabled': 'Presence switched on',
  'presence.disabled': 'Presence switched off',
  'presence.connected': 'Microsoft tenant connected',
  'presence.disconnected': 'Microsoft tenant disconnected',
};

export const actionText = (action: string): string => actionNames[action] ?? action;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
const dayOf = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 10) : '—');

/** `{ ivr: 2, acd: 1 }` → "IVR ×2, ACD ×1"; nothing → "no licences". */
export function allocationWords(v: unknown): string {
  if (!v || typeof v !== 'object') return 'no licences';
  const parts = Object.entries(v as Record<string, unknown>)
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .map(([p, n]) => `${productNames[p] ?? p} ×${String(n)}`);
  return parts.length > 0 ? parts.join(', ') : 'no licences';
}

function orderLines(v: unknown): string {
  if (!Array.isArray(v)) return '';
  return v
    .map((line: unknown) => {
      const l = (line ?? {}) as Record<string, unknown>;
      return `${productNames[String(l['product'])] ?? String(l['product'])} ×${String(l['quantity'] ?? '?')}`;
    })
    .join(', ');
}

const sentences: Readonly<Record<string, (d: Details) => string>> = {
  'activation-key.created': (d) =>
    `A key ending ${str(d['hint']) ?? '…'} for ${allocationWords(d['allocation'])}, valid until ${dayOf(d['expiresAt'])}.`,
  'activation-key.revoked': (d) =>
    `The key ending ${str(d['hint']) ?? '…'} (${allocationWords(d['allocation'])}) can no longer activate an installation.`,
  'installation.activated': (d) =>
    `Installation ${str(d['installationId'])} on ${Array.isArray(d['nodes']) ? d['nodes'].join(', ') : 'its servers'} took ${allocationWords(d['allocation'])}.`,
  'installation.allocation-changed': (d) =>
    `Installation ${str(d['installationId'])} went from ${allocationWords(d['from'])} to ${allocationWords(d['to'])}.`,
  'installation.allocation-reduced': (d) =>
    `Installation ${str(d['installationId'])} went from ${allocationWords(d['from'])} to ${allocationWords(d['to'])}: the account holds fewer licences than it used.`,
  'installation.deactivated': (d) =>
    `Installation ${str(d['installationId'])} gave back ${allocationWords(d['released'])}${str(d['reason']) ? ` (${str(d['reason'])})` : ''}.`,
  'installation.stale-notice': (d) =>
    `Installation ${str(d['installationId'])} was last heard from on ${dayOf(d['lastHeardAt'])}; it is released on ${dayOf(d['releaseAt'])} unless it is heard from.`,
  'order.deposited': (d) =>
    `Order ${str(d['orderId'])}: ${orderLines(d['lines'])}${d['accountCreated'] ? '; the account was created with it' : ''}.`,
  'user.invited': (d) => `${str(d['email']) ?? 'A person'} was invited to sign in for this account.`,
  'user.removed': (d) => `${str(d['email']) ?? 'A person'} can no longer sign in for this account.`,
  'account.reseller-set': (d) =>
    `Reseller ${str(d['resellerId'])} now acts for this account${str(d['previous']) ? ` (before: ${str(d['previous'])})` : ''}.`,
  'account.reseller-removed': (d) => `Reseller ${str(d['resellerId'])} no longer acts for this account.`,
  'account.created': (d) => `${str(d['name']) ?? 'The account'}, homed in ${String(d['region'] ?? '?').toUpperCase()}.`,
  'account.closed': (d) => `Its data is erased after ${dayOf(d['eraseAfter'])} unless it is reopened.`,
  'telemetry.enabled': () => 'Installations send telemetry again.',
  'telemetry.disabled': () => 'Installations stop sending telemetry; proactive findings stop.',
};

/** The event's details as a sentence; an unknown action's facts as "name: value" in words. */
export function detailsText(action: string, details: Details): string {
  const sentence = sentences[action];
  if (sentence) return sentence(details);
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${valueWords(v)}`)
    .join('; ');
}

function valueWords(v: unknown): string {
  if (Array.isArray(v)) return v.map(valueWords).join(', ');
  if (typeof v === 'object' && v !== null)
    return Object.entries(v)
      .map(([k, x]) => `${k} ${valueWords(x)}`)
      .join(', ');
  return String(v);
}
