/**
 * An in-memory SupportReadStore for unit tests, with the reads of
 * `lambdas/adapters/dynamodb-support-reads.ts`: installations by account, the newest beat per
 * type, findings by installation or account with a status filter, and acknowledgements ordered as
 * their sort key `ACK#<finding>#<at>#<ackId>` orders them. Seed it with `putHealth`,
 * `putSnapshot` and `putFinding` (the rules Lambda's writes); `acknowledged` lists what was stored.
 * test/contract/support-read-store.contract.ts holds it and the adapter to the same behaviour.
 */
import type { FindingRecord } from '#lambdas/core/rules/engine';
import type { SnapshotRecord } from '#lambdas/core/rules/ports';
import type {
  Acknowledgement,
  FindingStatus,
  InstallationHealth,
  SilencePosition,
  SupportReadStore,
} from '#lambdas/core/support/ports';

const copy = <T>(value: T): T => structuredClone(value);
const ackKey = (a: Acknowledgement) => `ACK#${a.findingId}#${a.at}#${a.ackId}`;

export class MemorySupportStore implements SupportReadStore {
  private readonly health = new Map<string, InstallationHealth>();
  private readonly snapshots = new Map<string, Map<string, SnapshotRecord>>();
  private readonly findingsById = new Map<string, Map<string, FindingRecord>>();
  private readonly acks = new Map<string, Acknowledgement>();

  putHealth(health: InstallationHealth): void {
    this.health.set(health.installationId, copy(health));
  }

  /** newest wins, as the rules' snapshot writes are conditional on their time: a late beat is not stored */
  putSnapshot(snapshot: SnapshotRecord): void {
    const byType = this.snapshots.get(snapshot.installationId) ?? new Map<string, SnapshotRecord>();
    const stored = byType.get(snapshot.type);
    if (stored && Date.parse(stored.collectedAt) >= Date.parse(snapshot.collectedAt)) return;
    byType.set(snapshot.type, copy(snapshot));
    this.snapshots.set(snapshot.installationId, byType);
  }

  putFinding(finding: FindingRecord): void {
    const byId = this.findingsById.get(finding.installationId) ?? new Map<string, FindingRecord>();
    byId.set(finding.findingId, copy(finding));
    this.findingsById.set(finding.installationId, byId);
  }

  get acknowledged(): Acknowledgement[] {
    return [...this.acks.values()].map(copy);
  }

  /** two buckets, by the id's last character, as the adapter's eight go by a hash */
  readonly silenceBuckets = 2;

  async healthBySilence(
    bucket: number,
    page: { beatBefore?: string; after?: SilencePosition; limit: number },
  ): Promise<{ installations: InstallationHealth[]; next?: SilencePosition }> {
    const key = (h: { lastBeatAt: string; installationId: string }) => `${h.lastBeatAt}|${h.installationId}`;
    const indexed = [...this.health.values()]
      .filter((h): h is InstallationHealth & { lastBeatAt: string } => h.lastBeatAt !== undefined)
      .filter((h) => h.installationId.charCodeAt(h.installationId.length - 1) % this.silenceBuckets === bucket)
      .filter((h) => page.beatBefore === undefined || h.lastBeatAt < page.beatBefore)
      .filter((h) => page.after === undefined || key(h) > key(page.after))
      .sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const installations = indexed.slice(0, page.limit);
    const last = installations.at(-1);
    return {
      installations: installations.map(copy),
      ...(indexed.length > page.limit && last
        ? { next: { installationId: last.installationId, lastBeatAt: last.lastBeatAt } }
        : {}),
    };
  }

  async installationsOfAccount(accountId: string): Promise<InstallationHealth[]> {
    return [...this.health.values()].filter((h) => h.accountId === accountId).map(copy);
  }

  async installationHealth(installationId: string): Promise<InstallationHealth | undefined> {
    const health = this.health.get(installationId);
    return health && copy(health);
  }

  async snapshot(installationId: string): Promise<SnapshotRecord[]> {
    return [...(this.snapshots.get(installationId)?.values() ?? [])].map(copy);
  }

  async findings(installationId: string, filter: { status?: FindingStatus } = {}): Promise<FindingRecord[]> {
    return [...(this.findingsById.get(installationId)?.values() ?? [])]
      .filter((f) => !filter.status || f.status === filter.status)
      .map(copy);
  }

  async findingsOfAccount(accountId: string, filter: { status?: FindingStatus } = {}): Promise<FindingRecord[]> {
    return [...this.findingsById.values()]
      .flatMap((byId) => [...byId.values()])
      .filter((f) => f.accountId === accountId && (!filter.status || f.status === filter.status))
      .map(copy);
  }

  async finding(installationId: string, findingId: string): Promise<FindingRecord | undefined> {
    const finding = this.findingsById.get(installationId)?.get(findingId);
    return finding && copy(finding);
  }

  async acknowledgements(installationId: string, findingId?: string): Promise<Acknowledgement[]> {
    return [...this.acks.entries()]
      .filter(([, a]) => a.installationId === installationId && (!findingId || a.findingId === findingId))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, a]) => copy(a));
  }

  async acknowledge(ack: Acknowledgement): Promise<void> {
    const key = `${ack.installationId}|${ackKey(ack)}`;
    if (this.acks.has(key)) throw new Error(`acknowledgement ${key} exists`);
    this.acks.set(key, copy(ack));
  }
}
