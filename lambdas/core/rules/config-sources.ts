/**
 * What the rules Lambda lays under each rule's defaults: the back office's advisory tables, then the
 * account's own settings (support's per-account overrides) on top, rule by rule. Both are read at
 * most once per invocation (the reads are cached for the invocation's life, so one batch of many
 * installations of one account reads its settings once); a new invocation reads them again, so a
 * change reaches the next batch.
 */
import type { AdvisoryTable } from './advisories';

/** Support's per-account rule settings: config objects by rule id, each valid under its rule's schema. */
export interface RuleSettingsSource {
  settingsOf(accountId: string): Promise<Readonly<Record<string, Record<string, unknown>>>>;
}

export interface AdvisorySource {
  list(): Promise<readonly AdvisoryTable[]>;
}

/** Per rule: the advisory table's fields, then the account's settings over them (shallow, by field). */
export function mergeConfigInputs(
  advisories: readonly AdvisoryTable[],
  settings: Readonly<Record<string, Record<string, unknown>>>,
): Record<string, Record<string, unknown>> | undefined {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const { ruleId, table } of advisories) merged[ruleId] = { ...table };
  for (const [ruleId, config] of Object.entries(settings)) merged[ruleId] = { ...merged[ruleId], ...config };
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/**
 * `overridesFor` of the rules' deps for one invocation: the advisory tables read once, each
 * account's settings read once (the promise is cached, so installations of one account evaluated
 * side by side share one read).
 */
export function invocationOverrides(
  settings: RuleSettingsSource,
  advisories: AdvisorySource,
): (accountId: string) => Promise<Record<string, Record<string, unknown>> | undefined> {
  let tables: Promise<readonly AdvisoryTable[]> | undefined;
  const byAccount = new Map<string, Promise<Readonly<Record<string, Record<string, unknown>>>>>();
  return async (accountId) => {
    tables ??= advisories.list();
    let own = byAccount.get(accountId);
    if (!own) {
      own = settings.settingsOf(accountId);
      byAccount.set(accountId, own);
    }
    return mergeConfigInputs(await tables, await own);
  };
}
