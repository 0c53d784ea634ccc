/**
 * What the rules Lambda lays under each rule's defaults: the back office's advisory tables, then the
 * account's own settings (support's per-account overrides) on top, rule by rule. The tables are read
 * once an invocation; an account's settings are kept by the container while the region's settings
 * revision, read once an invocation, stands. Either way a change reaches the next batch.
 */
import type { AdvisoryTable } from './advisories';
import { setBounded } from '../bounded-map';

/** Support's per-account rule settings: config objects by rule id, each valid under its rule's schema. */
export interface RuleSettingsSource {
  settingsOf(accountId: string): Promise<Readonly<Record<string, Record<string, unknown>>>>;
  /** moved by every change of any account's settings; read strongly consistent */
  revision(): Promise<number>;
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

type AccountSettings = Readonly<Record<string, Record<string, unknown>>>;
export type OverridesFor = (accountId: string) => Promise<Record<string, Record<string, unknown>> | undefined>;

/** Accounts whose settings a container keeps at most (a few hundred bytes each; the oldest go first). */
export const MAX_KEPT_ACCOUNTS = 50_000;

/**
 * The accounts' settings, kept across invocations: most accounts have none, and a batch's posts
 * come from many accounts, so reading them per invocation was a Query per post. Each invocation
 * reads the revision first; a moved one drops every account kept.
 */
export class KeptOverrides {
  private revision: number | undefined;
  private readonly byAccount = new Map<string, Promise<AccountSettings>>();

  constructor(
    private readonly settings: RuleSettingsSource,
    private readonly advisories: AdvisorySource,
    private readonly maxAccounts = MAX_KEPT_ACCOUNTS,
  ) {}

  /** `overridesFor` of one invocation: the revision and the advisory tables read on first use, once. */
  forInvocation(): OverridesFor {
    let checked: Promise<void> | undefined;
    let tables: Promise<readonly AdvisoryTable[]> | undefined;
    return async (accountId) => {
      checked ??= this.settings.revision().then((revision) => {
        if (revision !== this.revision) this.byAccount.clear();
        this.revision = revision;
      });
      tables ??= this.advisories.list();
      // both awaited together: a failure of either fails the call, and neither is left unhandled
      const [advisoryTables, own] = await Promise.all([tables, checked.then(() => this.settingsOf(accountId))]);
      return mergeConfigInputs(advisoryTables, own);
    };
  }

  private settingsOf(accountId: string): Promise<AccountSettings> {
    const kept = this.byAccount.get(accountId);
    if (kept) return kept;
    const read = this.settings.settingsOf(accountId);
    setBounded(this.byAccount, accountId, read, this.maxAccounts);
    // a failed read is not kept: the batch's retry reads again
    read.catch(() => this.byAccount.get(accountId) === read && this.byAccount.delete(accountId));
    return read;
  }
}
