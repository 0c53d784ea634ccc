/** `status` per product: capacity, kind, terms, shortfall, Care or that it lapsed; and the region last reached. */
import { formatStatus } from '#agent/cli/commands';
import { activatedOn, EU, FakeCloud, US } from './fake-cloud';

let cloud: FakeCloud;
beforeEach(async () => {
  cloud = await FakeCloud.create();
});

const gold = { level: 'gold', expiresAt: '2027-01-01T00:00:00Z' } as const;

describe('ucx-agent status', () => {
  it('shows each product’s terms and shortfall when the licence carries them', async () => {
    cloud.products = [
      {
        product: 'attendant-console',
        capacity: 8,
        kind: 'subscription',
        expiresAt: '2026-06-30T00:00:00Z',
        care: gold,
        terms: [
          { quantity: 5, kind: 'perpetual', startsAt: '2025-01-01T00:00:00Z' },
          { quantity: 3, kind: 'subscription', startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-06-30T00:00:00Z' },
        ],
        shortfall: { quantity: 2, enforcedAt: '2026-04-01T00:00:00Z' },
      },
      { product: 'ivr', capacity: 4, kind: 'perpetual' },
    ];
    const { agent } = await activatedOn(cloud);

    const status = await agent.status();
    const lines = formatStatus(status);

    expect(status.licence).toMatchObject({
      valid: true,
      products: [
        {
          product: 'attendant-console',
          capacity: 8,
          kind: 'subscription',
          care: gold,
          terms: [
            { quantity: 5, kind: 'perpetual', startsAt: '2025-01-01T00:00:00Z' },
            { quantity: 3, kind: 'subscription', startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-06-30T00:00:00Z' },
          ],
          shortfall: { quantity: 2, enforcedAt: '2026-04-01T00:00:00Z' },
        },
        { product: 'ivr', capacity: 4, kind: 'perpetual' },
      ],
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        '  attendant-console  capacity     8  subscription until 2026-06-30, Care gold until 2027-01-01',
        '    terms: 5 perpetual from 2025-01-01; 3 subscription 2026-01-01 → 2026-06-30',
        '    shortfall: 2 allocated beyond capacity; allocations are reduced at 2026-04-01T00:00:00Z',
        '  ivr                capacity     4  perpetual, no Care',
      ]),
    );
  });

  it('reads a licence of a cloud that sends no terms yet, and leaves out terms of a shape it does not know', async () => {
    cloud.products = [
      { product: 'ivr', capacity: 4, kind: 'perpetual', care: gold },
      { product: 'acd', capacity: 2, kind: 'perpetual', terms: 'five', shortfall: { quantity: 'some' } },
    ];
    const { agent } = await activatedOn(cloud);

    const status = await agent.status();

    expect(status.licence?.valid).toBe(true);
    const products = status.licence?.valid ? status.licence.products : [];
    expect(products.map((p) => [p.product, p.terms, p.shortfall])).toEqual([
      ['ivr', undefined, undefined],
      ['acd', undefined, undefined],
    ]);
    expect(formatStatus(status).filter((l) => /terms:|shortfall:/.test(l))).toEqual([]);
  });

  it('says Care lapsed once the cloud stops sending the Care it sent before, and when its end has passed', async () => {
    cloud.products = [
      { product: 'ivr', capacity: 4, kind: 'perpetual', care: gold },
      {
        product: 'acd',
        capacity: 2,
        kind: 'perpetual',
        care: { level: 'platinum', expiresAt: '2026-03-01T00:00:00Z' },
      },
    ];
    const { agent } = await activatedOn(cloud);
    cloud.version = 2;
    cloud.products = [
      { product: 'ivr', capacity: 4, kind: 'perpetual' },
      {
        product: 'acd',
        capacity: 2,
        kind: 'perpetual',
        care: { level: 'platinum', expiresAt: '2026-03-01T00:00:00Z' },
      },
    ];
    await agent.poll();

    const status = await agent.status();

    const products = status.licence?.valid ? status.licence.products : [];
    expect(products.map((p) => p.careLapsed)).toEqual([gold, { level: 'platinum', expiresAt: '2026-03-01T00:00:00Z' }]);
    expect(formatStatus(status)).toEqual(
      expect.arrayContaining([
        '  ivr                capacity     4  perpetual, Care lapsed (gold until 2027-01-01)',
        '  acd                capacity     2  perpetual, Care lapsed (platinum until 2026-03-01)',
      ]),
    );
  });

  it('says which region it last reached: home, or the other one while home did not answer', async () => {
    const { agent } = await activatedOn(cloud);
    await agent.poll();
    const atHome = formatStatus(await agent.status());
    cloud.down.add(EU);
    await agent.poll();

    const away = await agent.status();

    expect(atHome).toEqual(
      expect.arrayContaining([
        `region: eu (${EU})`,
        `other region: ${US}`,
        expect.stringMatching(/^last reached: home region at /),
      ]),
    );
    expect(away).toMatchObject({ endpoint: EU, fallbackEndpoint: US, lastReached: { via: 'fallback', endpoint: US } });
    expect(formatStatus(away)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^last reached: the other region \(https:\/\/us\.api\.test\) at .*: the home region did not answer/,
        ),
      ]),
    );
  });
});
