import type { Principal } from '#lambdas/core/licensing/access';
import { findingOf, healthOf, principals, supportWorld, type SupportWorld } from '#test/support/support-fixtures';
import { call, userEvent } from '#test/support/user-events';

// The handlers' composition root, swapped for the in-memory world (no AWS in unit tests).
let world: SupportWorld;
jest.mock('#lambdas/shared/support-deps', () => ({ supportDeps: () => world.deps }));

import { handler as acknowledge } from '#lambdas/handlers/acknowledge-finding';
import { handler as installationFindings } from '#lambdas/handlers/list-installation-findings';

let findingId: string;

beforeEach(async () => {
  world = await supportWorld();
  world.store.putHealth(healthOf(world.installationId, world.accountId));
  const finding = findingOf(world.installationId, world.accountId, { findingId: 'fnd_AbCdEfGhIjKlMnOpQrSt-_' });
  world.store.putFinding(finding);
  findingId = finding.findingId;
});

const ackEvent = (principal: Principal, body: unknown, id = findingId) =>
  userEvent(principal, {
    path: `/v1/installations/${world.installationId}/findings/${id}/acknowledgements`,
    pathParameters: { id: world.installationId, findingId: id },
    body,
  });

describe('GET /v1/installations/{id}/findings', () => {
  const findingsEvent = (principal: Principal, query?: Record<string, string>) =>
    userEvent(principal, {
      path: `/v1/installations/${world.installationId}/findings`,
      pathParameters: { id: world.installationId },
      ...(query ? { query } : {}),
    });

  it('answers 400 naming query.status for an unknown status', async () => {
    const response = await call(installationFindings, findingsEvent(principals.support, { status: 'closed' }));

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: 'query.status', message: expect.any(String) }]);
  });

  it('shows the customer its findings without support notes', async () => {
    await call(acknowledge, ackEvent(principals.support, { note: 'internal remark' }));

    const response = await call(installationFindings, findingsEvent(principals.customer(world.accountId)));

    expect(response.status).toBe(200);
    expect(response.body.findings).toHaveLength(1);
    expect(JSON.stringify(response.body)).not.toContain('internal remark');
  });
});
