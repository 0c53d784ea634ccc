import { ForbiddenError, NotFoundError, ValidationError } from '#lambdas/core/errors';
import { acknowledgeFinding, acknowledgementBodySchema } from '#lambdas/core/support/acknowledge-finding';
import { parseWith } from '#lambdas/shared/http';
import {
  accountReaders,
  findingOf,
  healthOf,
  principals,
  supportWorld,
  T0,
  type SupportWorld,
} from '#test/support/support-fixtures';

let world: SupportWorld;
let findingId: string;

beforeEach(async () => {
  world = await supportWorld();
  world.store.putHealth(healthOf(world.installationId, world.accountId));
  const finding = findingOf(world.installationId, world.accountId);
  world.store.putFinding(finding);
  findingId = finding.findingId;
});

describe('acknowledgeFinding', () => {
  it('stores the note with the finding’s account, the time and the principal’s opaque id', async () => {
    const ack = await acknowledgeFinding(world.deps, principals.support, world.installationId, findingId, {
      note: 'Customer informed; DB archive planned.',
    });

    expect(ack).toEqual({
      ackId: expect.stringMatching(/^ack_/),
      findingId,
      installationId: world.installationId,
      accountId: world.accountId,
      at: T0.toISOString(),
      by: principals.support.sub,
      note: 'Customer informed; DB archive planned.',
    });
    expect(world.store.acknowledged).toEqual([ack]);
  });

  it('keeps every acknowledgement of a finding, oldest first', async () => {
    await acknowledgeFinding(world.deps, principals.support, world.installationId, findingId, { note: 'first' });
    world.licensing.clock.advance(60_000);
    await acknowledgeFinding(world.deps, principals.backoffice, world.installationId, findingId, { note: 'second' });

    const acks = await world.store.acknowledgements(world.installationId, findingId);

    expect(acks.map((a) => a.note)).toEqual(['first', 'second']);
  });

  it('acknowledges a resolved finding too', async () => {
    const resolved = findingOf(world.installationId, world.accountId, {
      status: 'resolved',
      resolvedAt: T0.toISOString(),
    });
    world.store.putFinding(resolved);

    const attempt = acknowledgeFinding(world.deps, principals.support, world.installationId, resolved.findingId, {
      note: 'ok',
    });

    await expect(attempt).resolves.toMatchObject({ findingId: resolved.findingId });
  });

  it('answers 404 for an unknown finding and for a finding of another installation', async () => {
    const foreign = findingOf(world.otherInstallationId, world.otherAccountId);
    world.store.putFinding(foreign);

    const unknown = acknowledgeFinding(world.deps, principals.support, world.installationId, 'fnd_doesnotexist00', {
      note: 'x',
    });
    const elsewhere = acknowledgeFinding(world.deps, principals.support, world.installationId, foreign.findingId, {
      note: 'x',
    });

    await expect(unknown).rejects.toThrow(NotFoundError);
    await expect(elsewhere).rejects.toThrow(NotFoundError);
    expect(world.store.acknowledged).toEqual([]);
  });

  it('is for support and back office only: customers and resellers are refused before any read', async () => {
    const read = jest.spyOn(world.store, 'finding');

    for (const [, principal] of accountReaders(world)) {
      const attempt = acknowledgeFinding(world.deps, principal, world.installationId, findingId, { note: 'n' });

      if (principal.role === 'support' || principal.role === 'backoffice') await expect(attempt).resolves.toBeDefined();
      else await expect(attempt).rejects.toThrow(ForbiddenError);
    }
    expect(read).toHaveBeenCalledTimes(2);
  });
});

describe('acknowledgementBodySchema', () => {
  const errorsOf = (body: unknown) => {
    try {
      parseWith(acknowledgementBodySchema, body);
    } catch (error) {
      if (error instanceof ValidationError) return error.errors.map((e) => e.path);
      throw error;
    }
    return [];
  };

  it.each([
    ['an empty note', { note: '' }, ['note']],
    ['a blank note', { note: '   ' }, ['note']],
    ['a note over 2000 characters', { note: 'x'.repeat(2001) }, ['note']],
    ['no note', {}, ['note']],
    ['an unknown field', { note: 'ok', by: 'Alice' }, ['by']],
  ])('refuses %s naming its path', (_what, body, paths) => {
    expect(errorsOf(body)).toEqual(paths);
  });

  it('accepts 2000 characters, trimmed', () => {
    expect(parseWith(acknowledgementBodySchema, { note: ` ${'x'.repeat(2000)} ` })).toEqual({ note: 'x'.repeat(2000) });
  });
});
