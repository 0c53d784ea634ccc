/**
 * Support acknowledges a finding with a note (support and back office). A resolved finding may be
 * acknowledged too. The acknowledgement is its own item, so it never races the rules' writes.
 */
import * as z from 'zod/mini';
import { NotFoundError } from '../errors';
import { assertRole, type Principal } from '../licensing/access';
import type { Acknowledgement, SupportDeps } from './ports';

export const findingIdSchema = z.string().check(z.regex(/^fnd_[A-Za-z0-9_-]{8,64}$/, 'not a finding id'));

export const acknowledgementBodySchema = z.strictObject({
  note: z.string().check(z.trim(), z.minLength(1, 'a note is required'), z.maxLength(2000, 'at most 2000 characters')),
});
export type AcknowledgementBody = z.infer<typeof acknowledgementBodySchema>;

export async function acknowledgeFinding(
  deps: SupportDeps,
  principal: Principal,
  installationId: string,
  findingId: string,
  body: AcknowledgementBody,
): Promise<Acknowledgement> {
  assertRole(principal, 'support', 'backoffice');
  const finding = await deps.store.finding(installationId, findingId);
  if (!finding) throw new NotFoundError(`Installation ${installationId} has no finding ${findingId}.`);
  const acknowledgement: Acknowledgement = {
    ackId: deps.ids.id('ack_'),
    findingId,
    installationId,
    accountId: finding.accountId,
    at: deps.clock.now().toISOString(),
    by: principal.sub,
    note: body.note,
  };
  await deps.store.acknowledge(acknowledgement);
  return acknowledgement;
}
