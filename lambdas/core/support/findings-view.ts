/** Findings as the API shows them: in words, newest change first, support's acknowledgements only for staff. */
import * as z from 'zod/mini';
import type { FindingRecord } from '../rules/engine';
import { findingWords, type FindingWords } from '../rules/explain';
import type { Acknowledgement, FindingStatus } from './ports';

export const findingsQuerySchema = z.object({
  /** @default open */
  status: z._default(z.enum(['open', 'resolved', 'all']), 'open'),
});
export type FindingsQuery = z.infer<typeof findingsQuerySchema>;

export type FindingView = FindingRecord & FindingWords & { readonly acknowledgements?: readonly Acknowledgement[] };

export const statusFilter = (query: FindingsQuery): { status?: FindingStatus } =>
  query.status === 'all' ? {} : { status: query.status };

/** Newest change first, each with its title, message, next step and chart (computed here, never stored). */
export const newestFirst = (findings: readonly FindingRecord[]): FindingView[] =>
  findings
    .map((finding) => ({ ...finding, ...findingWords(finding) }))
    .sort((a, b) =>
      a.updatedAt !== b.updatedAt ? (a.updatedAt < b.updatedAt ? 1 : -1) : a.findingId < b.findingId ? -1 : 1,
    );

export function withAcknowledgements(
  findings: readonly FindingView[],
  acknowledgements: readonly Acknowledgement[],
): FindingView[] {
  const byFinding = new Map<string, Acknowledgement[]>();
  for (const ack of acknowledgements) byFinding.set(ack.findingId, [...(byFinding.get(ack.findingId) ?? []), ack]);
  const oldestFirst = (acks: Acknowledgement[]) => acks.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return findings.map((finding) => ({
    ...finding,
    acknowledgements: oldestFirst(byFinding.get(finding.findingId) ?? []),
  }));
}
