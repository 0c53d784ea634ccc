import type { LocalFunction, LocalSchedule } from '#local/assembly';
import type { InvokeOutcome, LambdaSandbox } from '#local/lambda-runtime';
import { parseRate, startSchedules } from '#local/schedules';

describe('parseRate', () => {
  it.each([
    ['rate(15 minutes)', 15 * 60_000],
    ['rate(1 minute)', 60_000],
    ['rate(2 hours)', 2 * 3_600_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(1 day)', 86_400_000],
    [' rate( 5 minutes ) ', 5 * 60_000],
  ])('reads %s as %d ms', (expression, ms) => {
    expect(parseRate(expression)).toBe(ms);
  });

  it.each([
    'rate(1 minutes)',
    'rate(5 minute)',
    'rate(0 minutes)',
    'rate(1.5 hours)',
    'rate(5 seconds)',
    'cron(0/15 * * * ? *)',
    'at(2026-03-12T10:00:00)',
    'rate()',
  ])('refuses %s (not a rate Scheduler accepts)', (expression) => {
    expect(parseRate(expression)).toBeUndefined();
  });
});

describe('startSchedules', () => {
  const fn = {
    logicalId: 'SweepSilentFunctionAF52F884',
    name: 'ucx-eu-stateless-sweepsilentfunctionaf52f884',
    stackName: 'ucx-eu-stateless',
  } as LocalFunction;
  const schedule = (overrides: Partial<LocalSchedule> = {}): LocalSchedule => ({
    regionKey: 'eu',
    stackName: 'ucx-eu-stateless',
    logicalId: 'SilentSweepSchedule4E4414E2',
    functionKey: 'ucx-eu-stateless/SweepSilentFunctionAF52F884',
    expression: 'rate(15 minutes)',
    enabled: true,
    input: { from: 'scheduler' },
    ...overrides,
  });
  const fakeSandbox = (outcome: InvokeOutcome = { result: { silent: 2 } }) => {
    const events: unknown[] = [];
    const invoke = async (event: unknown) => {
      events.push(event);
      return outcome;
    };
    const sandbox = { fn, invoke } as unknown as LambdaSandbox;
    return { sandbox, events };
  };
  afterEach(() => jest.useRealTimers());

  it("runs a schedule now by its own, its function's logical id or the function's name, with its Input", async () => {
    // Arrange
    const { sandbox, events } = fakeSandbox();
    const schedules = startSchedules({
      schedules: [schedule()],
      sandboxes: new Map([['ucx-eu-stateless/SweepSilentFunctionAF52F884', sandbox]]),
      timers: false,
    });

    // Act
    const runs = await Promise.all(
      ['SilentSweepSchedule4E4414E2', 'SweepSilentFunctionAF52F884', fn.name].map((id) => schedules.run('eu', id)),
    );

    // Assert
    expect(runs.map((r) => r?.result)).toEqual([{ silent: 2 }, { silent: 2 }, { silent: 2 }]);
    expect(events).toEqual([{ from: 'scheduler' }, { from: 'scheduler' }, { from: 'scheduler' }]);
    expect(schedules.run('us', 'SilentSweepSchedule4E4414E2')).toBeUndefined();
    expect(schedules.status('eu')).toEqual([
      expect.objectContaining({ state: 'on demand only', runs: 3, everyMs: 900_000 }),
    ]);
    schedules.stop();
  });

  it('runs a schedule now with an input given in place of its own', async () => {
    // Arrange
    const { sandbox, events } = fakeSandbox();
    const schedules = startSchedules({
      schedules: [schedule()],
      sandboxes: new Map([['ucx-eu-stateless/SweepSilentFunctionAF52F884', sandbox]]),
      timers: false,
    });

    // Act
    await schedules.run('eu', 'SilentSweepSchedule4E4414E2', { hours: ['2026-12-01T03'] });
    await schedules.run('eu', 'SilentSweepSchedule4E4414E2');

    // Assert
    expect(events).toEqual([{ hours: ['2026-12-01T03'] }, { from: 'scheduler' }]);
    schedules.stop();
  });

  it('invokes at the rate, first one period after the start, and reports a failed run', async () => {
    // Arrange
    jest.useFakeTimers({ now: new Date('2026-03-12T10:00:00Z') });
    const { sandbox, events } = fakeSandbox({ error: { errorType: 'Error', errorMessage: 'boom' } });
    const schedules = startSchedules({
      schedules: [schedule()],
      sandboxes: new Map([['ucx-eu-stateless/SweepSilentFunctionAF52F884', sandbox]]),
    });

    // Act
    await jest.advanceTimersByTimeAsync(14 * 60_000);
    const before = events.length;
    await jest.advanceTimersByTimeAsync(16 * 60_000);

    // Assert
    expect(before).toBe(0);
    expect(events).toHaveLength(2);
    const [status] = schedules.status();
    expect(status).toMatchObject({
      state: 'scheduled',
      runs: 2,
      nextRunAt: '2026-03-12T10:45:00.000Z',
      lastRun: { error: { errorMessage: 'boom' } },
    });
    schedules.stop();
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(events).toHaveLength(2);
  });

  it('runs a schedule that came due by a clock move once, at once, and keeps its rate from the new time', async () => {
    // Arrange
    jest.useFakeTimers({ now: new Date('2026-03-12T10:00:00Z') });
    let offsetMs = 0;
    const { sandbox, events } = fakeSandbox();
    const schedules = startSchedules({
      schedules: [schedule()],
      sandboxes: new Map([['ucx-eu-stateless/SweepSilentFunctionAF52F884', sandbox]]),
      now: () => Date.now() + offsetMs,
    });
    await jest.advanceTimersByTimeAsync(5 * 60_000);

    // Act: two days on, far past 10:15 (192 periods skipped)
    offsetMs = 2 * 86_400_000;
    const runs = await schedules.clockAdvanced();

    // Assert
    expect(events).toHaveLength(1);
    expect(runs).toEqual([
      expect.objectContaining({ region: 'eu', schedule: 'SilentSweepSchedule4E4414E2', result: { silent: 2 } }),
    ]);
    expect(runs[0]?.startedAt).toBe('2026-03-14T10:05:00.000Z');
    expect(schedules.status()[0]).toMatchObject({ runs: 1, nextRunAt: '2026-03-14T10:20:00.000Z' });
    await jest.advanceTimersByTimeAsync(14 * 60_000);
    expect(events).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(events).toHaveLength(2);
    schedules.stop();
  });

  it('brings a schedule not yet due nearer by a clock move, without running it', async () => {
    // Arrange
    jest.useFakeTimers({ now: new Date('2026-03-12T10:00:00Z') });
    let offsetMs = 0;
    const { sandbox, events } = fakeSandbox();
    const schedules = startSchedules({
      schedules: [schedule()],
      sandboxes: new Map([['ucx-eu-stateless/SweepSilentFunctionAF52F884', sandbox]]),
      now: () => Date.now() + offsetMs,
    });

    // Act: 10:00 real is 10:10 on the clock; due at 10:15, so 5 minutes left
    offsetMs = 10 * 60_000;
    const runs = await schedules.clockAdvanced();

    // Assert
    expect(runs).toEqual([]);
    expect(schedules.status()[0]).toMatchObject({ runs: 0, nextRunAt: '2026-03-12T10:15:00.000Z' });
    await jest.advanceTimersByTimeAsync(4 * 60_000);
    expect(events).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(events).toHaveLength(1);
    schedules.stop();
  });

  it('runs nothing on a clock move when its timers are off', async () => {
    // Arrange
    const { sandbox, events } = fakeSandbox();
    const schedules = startSchedules({
      schedules: [schedule()],
      sandboxes: new Map([['ucx-eu-stateless/SweepSilentFunctionAF52F884', sandbox]]),
      timers: false,
      now: () => Date.now() + 86_400_000,
    });

    // Act
    const runs = await schedules.clockAdvanced();

    // Assert
    expect(runs).toEqual([]);
    expect(events).toHaveLength(0);
    schedules.stop();
  });

  it('never times a disabled schedule, nor a cron one, and refuses a target without a bundle', () => {
    // Arrange
    const { sandbox } = fakeSandbox();
    const sandboxes = new Map([['ucx-eu-stateless/SweepSilentFunctionAF52F884', sandbox]]);

    // Act
    const schedules = startSchedules({
      schedules: [schedule({ enabled: false }), schedule({ logicalId: 'Cron', expression: 'cron(0 * * * ? *)' })],
      sandboxes,
    });

    // Assert
    expect(schedules.status().map((s) => s.state)).toEqual(['disabled', 'on demand only']);
    expect(() => startSchedules({ schedules: [schedule({ functionKey: 'x/Missing' })], sandboxes })).toThrow(
      'ucx-eu-stateless/SilentSweepSchedule4E4414E2: its target x/Missing has no local bundle',
    );
    schedules.stop();
  });
});
