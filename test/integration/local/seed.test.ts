/** The demo of a fresh data dir, created through the real API (PUT order, POST activation key). */
import { cloud } from '#test/support/local-cloud';

jest.setTimeout(30_000);

describe('demo seed', () => {
  it('created an EU customer of reseller res-demo and a US customer, each with an activation key', () => {
    // Act
    const { demo } = cloud();

    // Assert
    expect(demo.seedError).toBeUndefined();
    expect(demo.accounts.map((a) => [a.region, a.resellerId])).toEqual([
      ['eu', 'res-demo'],
      ['us', undefined],
    ]);
    expect(demo.accounts.every((a) => a.accountId && a.activationKey && a.token)).toBe(true);
    expect(demo.resellers).toEqual([{ resellerId: 'res-demo', token: expect.any(String) }]);
  });

  it('gives each customer a token for its own account, in either region', async () => {
    // Arrange
    const [euCustomer] = cloud().demo.accounts;

    // Act
    const responses = await Promise.all(
      (['eu', 'us'] as const).map((region) =>
        fetch(`${cloud().regions[region].api}/v1/accounts/${euCustomer?.accountId}`, {
          headers: { authorization: `Bearer ${euCustomer?.token}` },
        }),
      ),
    );

    // Assert
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
  });
});
