import type { Principal } from '#lambdas/core/licensing/access';
import { findingOf, healthOf, principals, supportWorld, type SupportWorld } from '#test/support/support-fixtures';
import { call, userEvent } from '#test/support/user-events';

// The handlers' composition root, swapped for the in-memory world (no AWS in unit tests).
let world: SupportWorld;
jest.mock('#lambdas/shared/support-deps', () => ({ supportDeps: () => world.deps }));

import { handler as acknowledge } from '#lambdas/handlers/acknowledge-finding';

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

describe('POST /v1/installations/{id}/findings/{findingId}/acknowledgements', () => {
  it('answers 201 with the acknowledgement', async () => {
    const response = await call(acknowledge, ackEvent(principals.support, { note: 'looking into it' }));

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ findingId, note: 'looking into it', by: principals.support.sub });
  });

  it('answers 400 naming `note` for an empty note', async () => {
    const response = await call(acknowledge, ackEvent(principals.support, { note: '' }));

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.errors).toEqual([{ path: 'note', message: 'a note is required' }]);
    expect(world.store.acknowledged).toEqual([]);
  });

  it('answers 404 for an unknown finding and 403 to a customer', async () => {
    const unknown = await call(acknowledge, ackEvent(principals.support, { note: 'x' }, 'fnd_doesnotexist000'));
    const customer = await call(acknowledge, ackEvent(principals.customer(world.accountId), { note: 'x' }));

    expect(unknown.status).toBe(404);
    expect(customer.status).toBe(403);
  });

  it('answers 400 naming params.findingId for a malformed finding id', async () => {
    const response = await call(acknowledge, ackEvent(principals.support, { note: 'x' }, 'not-a-finding'));

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: 'params.findingId', message: 'not a finding id' }]);
  });
});
