import { rule as dbExpressCap } from '#lambdas/core/rules/catalogue/db-express-cap';
import { findingWords, formats, placeholdersOf, renderExplain, renderTemplate } from '#lambdas/core/rules/explain';

const GIB = 1024 ** 3;

describe('renderTemplate', () => {
  it('fills placeholders from the evidence and the subject, formatted', () => {
    const text = renderTemplate('{subject} at {size|gb} ({percent|percent}), {left|days}, {n|plural:core}', 'UCX', {
      size: 9.2 * GIB,
      percent: 92,
      left: 40.6,
      n: 1,
    });

    expect(text).toBe('UCX at 9.2 GB (92 %), 41 days, 1 core');
  });

  it('leaves out an optional part whose placeholder has no value, and keeps it when it has one', () => {
    const template = 'At {percent|percent}[; full in about {daysToCap|days}].';

    expect(renderTemplate(template, 'UCX', { percent: 92, daysToCap: null })).toBe('At 92 %.');
    expect(renderTemplate(template, 'UCX', { percent: 92 })).toBe('At 92 %.');
    expect(renderTemplate(template, 'UCX', { percent: 92, daysToCap: 41 })).toBe('At 92 %; full in about 41 days.');
  });

  it('keeps evidence text that looks like a placeholder or an optional part as text', () => {
    const text = renderTemplate('Status {status}[ ({note})].', 'UCX', { status: '{percent} [x]', note: '{status}' });

    expect(text).toBe('Status {percent} [x] ({status}).');
  });

  it('cannot say a template whose required placeholder is missing, null or of an unknown format', () => {
    expect(renderTemplate('{a} and {b}', 's', { a: 1 })).toBeUndefined();
    expect(renderTemplate('{a}', 's', { a: null })).toBeUndefined();
    expect(renderTemplate('{a|nonsense}', 's', { a: 1 })).toBeUndefined();
    expect(renderTemplate('{a|gb}', 's', { a: 'text' })).toBeUndefined();
  });

  it('lists the evidence fields a template reads, not the subject', () => {
    expect(placeholdersOf('{subject} {sizeBytes|gb}[ in {daysToCap|days}] {n|plural:day}')).toEqual([
      'sizeBytes',
      'daysToCap',
      'n',
    ]);
  });
});

describe('formats', () => {
  it.each([
    ['gb', 10 * GIB, '', '10 GB'],
    ['bytes', 12.5 * 1024 ** 2, '', '12.5 MB'],
    ['bytes', 512, '', '512 bytes'],
    ['percent', 91.96, '', '92 %'],
    ['days', 1, '', '1 day'],
    ['relativeDays', -12, '', '12 days ago'],
    ['relativeDays', 0.2, '', 'today'],
    ['relativeDays', 41, '', 'in 41 days'],
    ['hours', 3.5, '', '3.5 hours'],
    ['count', 12400, '', '12,400'],
    ['plural', 2, 'DNS server', '2 DNS servers'],
    ['date', '2027-01-12', '', '12 January 2027'],
    ['dateTime', '2026-03-02T09:15:00.000Z', '', '2 March 2026, 09:15 UTC'],
    ['list', ['a', 'b'], '', 'a, b'],
    ['product', 'attendant-console', '', 'Attendant Console'],
  ] as const)('%s says %p as %p', (format, value, argument, said) => {
    expect(formats[format]!(value as never, argument)).toBe(said);
  });

  it('has no value for an empty list, a bad date or a number that is not finite', () => {
    expect(formats.list!([], '')).toBeUndefined();
    expect(formats.date!('not a date', '')).toBeUndefined();
    expect(formats.percent!(Number.NaN, '')).toBeUndefined();
  });
});

describe('renderExplain', () => {
  const evidence = {
    sizeBytes: 9.2 * GIB,
    capBytes: 10 * GIB,
    percent: 92,
    version: '16.0.1000.6',
    warnBytes: 8 * GIB,
    warnPercent: 80,
    daysToCap: 41,
    growthDays: 14,
  };

  it("says db-express-cap's finding as the issue does, with its chart and forecast from the evidence's time", () => {
    const words = renderExplain(dbExpressCap, 'db-express-cap', 'UCX', evidence, '2026-03-02T09:00:00.000Z');

    expect(words).toEqual({
      title: 'Database UCX near the SQL Server Express cap',
      message:
        'SQL Server Express database UCX is at 9.2 GB of its 10 GB cap (92 %); at the growth of the last 14 days it reaches the cap in about 41 days.',
      nextStep: expect.stringMatching(/^Plan a move to SQL Server Standard/),
      chart: {
        series: 'database:UCX:sizeBytes',
        thresholds: [
          { label: 'cap 10 GB', value: 10 * GIB },
          { label: 'warning at 80 %', value: 8 * GIB },
        ],
        forecast: { at: '2026-04-12T09:00:00.000Z', value: 10 * GIB },
      },
    });
  });

  it('draws no forecast when the database is not growing', () => {
    const words = renderExplain(
      dbExpressCap,
      'db-express-cap',
      'UCX',
      { ...evidence, daysToCap: null },
      '2026-03-02T09:00:00.000Z',
    );

    expect(words.chart).not.toHaveProperty('forecast');
    expect(words.message).toBe('SQL Server Express database UCX is at 9.2 GB of its 10 GB cap (92 %).');
  });

  it('still reads for a rule since removed, or evidence of an older shape', () => {
    const removed = renderExplain(undefined, 'old-rule', 'installation', {});
    const older = renderExplain(dbExpressCap, 'db-express-cap', 'UCX', { sizeBytes: 1 });

    for (const words of [removed, older]) {
      expect(words.title.length).toBeGreaterThan(0);
      expect(`${words.title} ${words.message} ${words.nextStep}`).not.toMatch(/[{}]|undefined|NaN/);
    }
    expect(removed.message).toContain('old-rule');
    expect(older.title).toBe('Database UCX near the SQL Server Express cap');
  });
});

describe('findingWords', () => {
  it('takes the evidence time from the newest event that is not a resolution', () => {
    const words = findingWords({
      ruleId: 'db-express-cap',
      subject: 'UCX',
      openedAt: '2026-03-01T00:00:00.000Z',
      evidence: { ...{ sizeBytes: 9 * GIB, capBytes: 10 * GIB, percent: 90 }, daysToCap: 10 },
      history: [
        { at: '2026-03-01T00:00:00.000Z', event: 'opened' },
        { at: '2026-03-02T00:00:00.000Z', event: 'escalated' },
        { at: '2026-03-05T00:00:00.000Z', event: 'resolved' },
      ],
    });

    expect(words.chart?.forecast).toEqual({ at: '2026-03-12T00:00:00.000Z', value: 10 * GIB });
  });
});
