/** The account page's orientation: its sections in the address (`#/accounts/X/findings`), findings in order, and what switching telemetry off stops. */

/** `#/accounts/acc_1/findings` → `{ accountId: 'acc_1', section: 'findings' }`; no section on the page's own address. */
export function accountRoute(path: string): { accountId: string; section?: string } | undefined {
  const m = /^\/accounts\/([^/?]+)(?:\/([a-z0-9-]+))?\/?$/.exec(path);
  if (!m) return undefined;
  return { accountId: decodeURIComponent(m[1]!), ...(m[2] && { section: m[2] }) };
}

/** A section's slug from its heading id (`s-activation-keys` → `activation-keys`), as `ui.section` names it. */
export const sectionSlug = (headingId: string): string => headingId.replace(/^s-/, '');

export const sectionHref = (accountId: string, slug: string): string =>
  `#/accounts/${encodeURIComponent(accountId)}/${slug}`;

const severityRank: Readonly<Record<string, number>> = { critical: 3, warning: 2, info: 1 };

/** Open before resolved, then the most severe, then the newest opened. */
export function orderFindings<F extends { severity: string; status: string; openedAt: string }>(
  findings: readonly F[],
): F[] {
  const open = (f: F) => (f.status === 'resolved' ? 0 : 1);
  return [...findings].sort(
    (a, b) =>
      open(b) - open(a) ||
      (severityRank[b.severity] ?? 0) - (severityRank[a.severity] ?? 0) ||
      (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0),
  );
}

/** What stops when an account's telemetry is switched off: asked before it is. */
export const telemetryOffConsequences: readonly string[] = [
  'Proactive findings stop: the rules see no new telemetry, so nothing new is found and open findings are not updated.',
  'Support’s snapshot of each installation stops at its last beat: support sees no current state when you ask for help.',
  'The installations stop sending telemetry; the cloud refuses what they send until it is switched on again.',
];

/**
 * A new activation key's allocation from its form: every field empty gives the key the pool (all
 * free capacity, as it stands at activation); once any is filled, an empty field gives its product's
 * free licences now and 0 leaves the product out. Only zeros is a key with nothing: refused here.
 */
export function keyAllocation(
  fields: readonly { product: string; value: string; free: number }[],
): { allocation?: Record<string, number> } | { error: { path: string; message: string } } {
  if (fields.every((f) => f.value.trim() === '')) return {};
  const allocation: Record<string, number> = {};
  for (const f of fields) {
    const value = f.value.trim();
    if (value === '') {
      if (f.free > 0) allocation[f.product] = f.free;
    } else if (Number(value) !== 0) allocation[f.product] = Number(value);
  }
  if (Object.keys(allocation).length > 0) return { allocation };
  return {
    error: {
      path: `allocation.${fields[0]?.product ?? ''}`,
      message: 'Enter more than 0 for one product at least, or leave one empty to give all its free licences.',
    },
  };
}
