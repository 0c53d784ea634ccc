import { defaultPresenceWorkload, presenceMonthlyCost, presencePrices } from '#bench/presence-cost';
import type { RegionPrices } from '#bench/cost-model';
import prices from '../../../bench/prices.json';

const eu = (prices.regions as unknown as Record<string, RegionPrices>)['eu-central-1']!;

describe('the Presence cost model', () => {
  it('prices every change once per watching installation, and sharing a user across installations halves its notification work', () => {
    // Arrange
    const alone = defaultPresenceWorkload();
    const shared = { ...alone, watchersPerUser: 2 };

    // Act
    const one = presenceMonthlyCost(alone, eu, presencePrices['eu-central-1']!);
    const two = presenceMonthlyCost(shared, eu, presencePrices['eu-central-1']!);
    const cost = (r: typeof one, name: string) => r.components.find((c) => c.component === name)!.usd;

    // Assert
    expect(cost(two, 'API Gateway HTTP API')).toBeCloseTo(cost(one, 'API Gateway HTTP API') / 2, 6);
    expect(cost(two, 'API Gateway WebSocket')).toBeCloseTo(cost(one, 'API Gateway WebSocket'), 6);
    expect(one.graphReadsPerChange).toBe(0);
    expect(one.perInstallation).toBeCloseTo(
      one.components.reduce((a, c) => a + c.usd, 0),
      9,
    );
  });

  it('has WebSocket and SQS prices for every region the bench prices', () => {
    // Assert
    expect(Object.keys(presencePrices).sort()).toEqual(Object.keys((prices as { regions: object }).regions).sort());
  });
});
