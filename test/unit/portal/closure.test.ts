import { closedText } from '#portal/src/pages/closure';

describe("a closed account's page", () => {
  it('says nothing while the account is open', () => {
    expect(closedText({ accountId: 'acc_1', status: 'open' })).toBe('');
  });

  it('says when it closed and the day its data is erased, until then', () => {
    const text = closedText({
      accountId: 'acc_1',
      status: 'closed',
      closedAt: '2026-03-02T09:00:00.000Z',
      eraseAfter: '2026-04-01T09:00:00.000Z',
    });

    expect(text).toContain('closed on 2026-03-02 09:00 UTC');
    expect(text).toContain('erased after 2026-04-01');
    expect(text).toContain('export');
  });

  it('says what was erased and what is kept, once erased', () => {
    const text = closedText({
      accountId: 'acc_1',
      status: 'closed',
      closedAt: '2026-03-02T09:00:00.000Z',
      eraseAfter: '2026-04-01T09:00:00.000Z',
      erasedAt: '2026-04-01T12:00:00.000Z',
    });

    expect(text).toContain('erased on 2026-04-01');
    expect(text).toContain('kept as the law requires');
  });
});
