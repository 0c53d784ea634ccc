import { ForbiddenError } from '#lambdas/core/errors';
import {
  assertAccountAccess,
  assertMayAddressAccount,
  assertRole,
  type AccountAccess,
  type Principal,
} from '#lambdas/core/licensing/access';
import type { SmartAccount } from '#lambdas/core/licensing/model';
import { OTHER_RESELLER_ID, principals, RESELLER_ID } from '#test/support/licensing-fixtures';

const account: SmartAccount = {
  accountId: 'acc_00000001',
  name: 'Fabrikam Hospital',
  region: 'eu',
  resellerId: RESELLER_ID,
  telemetryEnabled: true,
  termsRev: 1,
  installSeq: 0,
  createdAt: '2026-03-02T09:00:00.000Z',
};
const direct: SmartAccount = { ...account, accountId: 'acc_00000002', resellerId: undefined };

const allowed = (principal: Principal, target: SmartAccount | undefined, access: AccountAccess) => {
  try {
    assertAccountAccess(principal, target, access);
    return true;
  } catch (error) {
    if (error instanceof ForbiddenError) return false;
    throw error;
  }
};

describe('assertAccountAccess', () => {
  it.each<[string, Principal, SmartAccount | undefined, AccountAccess, boolean]>([
    ['back office reads', principals.backoffice, account, 'read', true],
    ['back office manages', principals.backoffice, account, 'manage', true],
    [
      'back office manages a missing account (to learn it is missing)',
      principals.backoffice,
      undefined,
      'manage',
      true,
    ],
    ['support reads', principals.support, account, 'read', true],
    ['support may not manage', principals.support, account, 'manage', false],
    ['the customer manages its own account', principals.customer(account.accountId), account, 'manage', true],
    ['a customer may not read another account', principals.customer('acc_00000099'), account, 'read', false],
    ['a customer may not read a missing account', principals.customer(account.accountId), undefined, 'read', false],
    ['the reseller manages its customer', principals.reseller(RESELLER_ID), account, 'manage', true],
    ['another reseller may not read', principals.reseller(OTHER_RESELLER_ID), account, 'read', false],
    ['a reseller may not read an account sold directly', principals.reseller(RESELLER_ID), direct, 'read', false],
    [
      'a reseller token without a reseller id may not read an account sold directly',
      { role: 'reseller', sub: 'sub-x' },
      direct,
      'read',
      false,
    ],
    ['a reseller may not read a missing account', principals.reseller(RESELLER_ID), undefined, 'read', false],
  ])('%s', (_name, principal, target, access, expected) => {
    const result = allowed(principal, target, access);

    expect(result).toBe(expected);
  });
});

describe('assertMayAddressAccount', () => {
  it('refuses a customer naming another account', () => {
    const customer = principals.customer('acc_00000001');

    const attempt = () => assertMayAddressAccount(customer, 'acc_00000002');

    expect(attempt).toThrow(ForbiddenError);
  });

  it.each([principals.customer('acc_00000001'), principals.backoffice, principals.support, principals.reseller()])(
    'lets %j name acc_00000001',
    (principal) => {
      const attempt = () => assertMayAddressAccount(principal, 'acc_00000001');

      expect(attempt).not.toThrow();
    },
  );
});

describe('assertRole', () => {
  it('passes a listed role and refuses any other', () => {
    const check = (principal: Principal) => () => assertRole(principal, 'backoffice', 'support');

    expect(check(principals.backoffice)).not.toThrow();
    expect(check(principals.support)).not.toThrow();
    expect(check(principals.reseller())).toThrow(ForbiddenError);
    expect(check(principals.customer('acc_00000001'))).toThrow(/backoffice, support/);
  });
});
