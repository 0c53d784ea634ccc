import {
  alarmSummary,
  dashboardData,
  dashboardHtml,
  evaluateAlarm,
  readableLabel,
  sectionGrid,
  type DashboardData,
} from '#local/dashboard';
import { localApiNamespace, localSqsNamespace, MetricStore } from '#local/metrics';
import { alarms } from '#lib/observability/definition';

const T = Date.parse('2026-03-02T09:00:30.000Z');
const minute = 60_000;

/** What local/cloud.ts records for one routed request: Count, 4xx, 5xx and Latency of its route. */
function request(store: MetricStore, route: string, status: number, at = T, latencyMs = 20): void {
  const key = (name: string) => ({ region: 'eu', namespace: localApiNamespace, name, dimensions: { route } });
  store.record(key('Count'), 1, at);
  store.record(key('4xx'), status >= 400 && status < 500 ? 1 : 0, at);
  store.record(key('5xx'), status >= 500 ? 1 : 0, at);
  store.record(key('Latency'), latencyMs, at);
}

const data = (store: MetricStore, queues: Record<string, unknown[]> = {}) =>
  dashboardData('eu', { store, functionLogicalIds: [], queues: () => queues, now: () => T });

/** The HTML of the grid row whose label is `label`. */
const rowHtml = (html: string, label: string): string =>
  html.split('<tr>').find((row) => row.includes(`title="${label}"`)) ?? '';

/** The number shown in a row's cell of the column titled `column`. */
const cellValue = (row: string, column: string): string | undefined =>
  new RegExp(`data-column="${column}"[^>]*><span class="v">([^<]*)</span>`).exec(row)?.[1];

describe('the API routes grid', () => {
  it('feeds the 5xx column from the 5xx series and the 4xx column from the 4xx series', () => {
    // Arrange: 5 activations (2 answered 409, 1 answered 500) and 3 polls, all 200
    const store = new MetricStore({ now: () => T });
    for (const status of [201, 201, 409, 409, 500]) request(store, 'POST /v1/activations', status);
    for (let i = 0; i < 3; i++) request(store, 'GET /v1/installations/{id}/license', 200);

    // Act
    const section = data(store).dashboards[0]!.sections.find((s) => s.title === 'API routes')!;
    const grid = sectionGrid(section)!;
    const html = dashboardHtml(data(store));

    // Assert
    const columns = grid.columns.map((c) => c.title);
    const activations = grid.rows.find((r) => r.label === 'POST /v1/activations')!;
    expect(activations.cells[columns.indexOf('Requests')]!.total).toBe(5);
    expect(activations.cells[columns.indexOf('4xx')]!.total).toBe(2);
    expect(activations.cells[columns.indexOf('5xx')]!.total).toBe(1);
    const row = rowHtml(html, 'POST /v1/activations');
    expect({
      requests: cellValue(row, 'Requests'),
      '4xx': cellValue(row, '4xx'),
      '5xx': cellValue(row, '5xx'),
    }).toEqual({ requests: '5', '4xx': '2', '5xx': '1' });
    expect(cellValue(rowHtml(html, 'GET /v1/installations/{id}/license'), '5xx')).toBe('0');
  });

  it('colours a 5xx red and a 4xx amber, and folds the routes without traffic into one line', () => {
    // Arrange
    const store = new MetricStore({ now: () => T });
    request(store, 'POST /v1/activations', 409);
    request(store, 'POST /v1/activations', 503);

    // Act
    const html = dashboardHtml(data(store));

    // Assert
    const row = rowHtml(html, 'POST /v1/activations');
    expect(row).toMatch(/class="n bad" data-column="5xx"/);
    expect(row).toMatch(/class="n warn" data-column="4xx"/);
    expect(row).toMatch(/class="n " data-column="Requests"/);
    expect(html).not.toContain('title="GET /v1/openapi.json"');
    expect(html).toMatch(/\+ \d+ without traffic in the window/);
  });
});

describe('the alarms, evaluated locally', () => {
  it('says all alarms are OK on a quiet cloud, with those it cannot evaluate counted apart', () => {
    // Arrange
    const store = new MetricStore({ now: () => T });

    // Act
    const { alarms: states } = data(store);
    const summary = alarmSummary(states);

    // Assert
    expect(summary.ok).toBe(true);
    expect(summary.text).toMatch(/^All alarms OK/);
    expect(states.find((a) => a.id === 'api-5xx-rate')!.state).toBe('OK');
    expect(states.find((a) => a.id === 'dynamodb-throttles')!.state).toBe('NOT_EVALUATED');
    // the sweep runs every 15 minutes: a cloud started a moment ago has not missed one yet
    expect(states.find((a) => a.id === 'silent-sweep-not-running')!.state).toBe('INSUFFICIENT_DATA');
    expect(dashboardHtml(data(store))).toContain('class="status ok"');
  });

  it('names the alarms in alarm: a 5xx rate over 5 % for three periods and a message in a failure destination', () => {
    // Arrange: 10 requests in each of the last three 5-minute periods, 2 of them answered 500
    let now = T - 20 * minute;
    const store = new MetricStore({ now: () => now });
    now = T;
    for (const start of [T - 10 * minute, T - 5 * minute, T - 30_000])
      for (let i = 0; i < 10; i++) request(store, 'POST /v1/activations', i < 2 ? 500 : 201, start);
    const queues = { archivetelemetryonfailurequeue1a2b3c4d: [{ shardId: 'shardId-000000000000' }] };

    // Act
    const { alarms: states } = data(store, queues);
    const summary = alarmSummary(states);

    // Assert
    const rate = states.find((a) => a.id === 'api-5xx-rate')!;
    expect(rate).toEqual(expect.objectContaining({ state: 'ALARM', severityInAlarm: 'critical' }));
    expect(rate.severities.map((s) => [s.severity, s.state, s.value])).toEqual([
      ['critical', 'ALARM', 20],
      ['warning', 'ALARM', 20],
    ]);
    expect(states.find((a) => a.id === 'archiveTelemetry-onFailure-not-empty')!.state).toBe('ALARM');
    expect(states.find((a) => a.id === 'evaluateRules-onFailure-not-empty')!.state).toBe('OK');
    expect(summary.ok).toBe(false);
    expect(summary.text).toBe(
      '2 in alarm: API 5xx rate (% of requests) (critical) · Failure destination archiveTelemetry.onFailure: messages waiting (critical)',
    );
    expect(dashboardHtml(data(store, queues))).toContain('class="status alarm"');
  });

  it('evaluates M of N periods: two breaching periods of three do not fire a 3-of-3 alarm', () => {
    // Arrange
    const definition = alarms.find((a) => a.id === 'api-p99-latency')!;
    const period = 5 * minute;
    const end = Math.floor(T / period) * period + period;
    const values = new Map([
      [end, 6000],
      [end - period, 6000],
      [end - 2 * period, 100],
    ]);

    // Act
    const twoOfThree = evaluateAlarm(definition, (_from, to) => values.get(to) ?? null, T, 0);
    values.set(end - 2 * period, 2000);
    const threeOfThree = evaluateAlarm(definition, (_from, to) => values.get(to) ?? null, T, 0);

    // Assert
    expect(twoOfThree.state).toBe('OK');
    expect(threeOfThree).toEqual(expect.objectContaining({ state: 'ALARM', severityInAlarm: 'warning' }));
  });

  it('fires a breaching-when-missing alarm once the store has seen every period empty', () => {
    // Arrange
    const definition = alarms.find((a) => a.id === 'silent-sweep-not-running')!;

    // Act
    const fresh = evaluateAlarm(definition, () => null, T, T - 10 * minute);
    const anHourOn = evaluateAlarm(definition, () => null, T, T - 90 * minute);
    const withRuns = evaluateAlarm(definition, () => 1, T, T - 90 * minute);

    // Assert
    expect([fresh.state, anHourOn.state, withRuns.state]).toEqual(['INSUFFICIENT_DATA', 'ALARM', 'OK']);
  });
});

describe('the Presence section', () => {
  /** A business count as the local handlers' EMF lands in the store. */
  const count = (store: MetricStore, name: string, value: number, at = T) =>
    store.record({ region: 'eu', namespace: 'UcxCloud', name, dimensions: { service: 'ucx-cloud' } }, value, at);
  /** What the SQS stand-in records when it hands the fan-out a batch. */
  const fanOutAge = (store: MetricStore, seconds: number, at = T) =>
    store.record(
      {
        region: 'eu',
        namespace: localSqsNamespace,
        name: 'ApproximateAgeOfOldestMessage',
        dimensions: { QueueName: 'ucx-local-eu-stateful-PresenceFanOutQueue5D4A6F25' },
      },
      seconds,
      at,
    );
  const presenceData = (store: MetricStore, openSessions?: () => number) =>
    dashboardData('eu', {
      store,
      functionLogicalIds: [],
      queues: () => ({}),
      now: () => T,
      ...(openSessions && { openSessions }),
    });
  const widget = (d: DashboardData, title: string) =>
    d.dashboards
      .find((x) => x.id === 'service')!
      .sections.find((s) => s.title === 'Presence')!
      .widgets.find((w) => w.title === title)!;

  it('shows sessions opened and closed with the open sessions the local servers know, and the notification lag', () => {
    // Arrange
    const store = new MetricStore({ now: () => T });
    count(store, 'PresenceSessionsOpened', 3);
    count(store, 'PresenceSessionsClosed', 1);
    count(store, 'PresenceNotifications', 4);
    count(store, 'PresenceUpdatesSent', 6);
    fanOutAge(store, 0.2, T - 2 * minute);
    fanOutAge(store, 1.5);

    // Act
    const d = presenceData(store, () => 2);
    const html = dashboardHtml(d);

    // Assert
    const sessions = widget(d, 'Sessions opened and closed').lines.map((l) => [l.label, l.total]);
    expect(sessions).toEqual([
      ['PresenceSessionsOpened', 3],
      ['PresenceSessionsClosed', 1],
      ['open now', 2],
    ]);
    expect(widget(d, 'Notification lag (oldest change waiting, s)').lines).toEqual([
      expect.objectContaining({ label: 'presenceFanOut.queue', total: 1.5 }),
    ]);
    expect(widget(d, 'Presence frames sent').lines[0]!.total).toBe(6);
    expect(widget(d, 'WebSocket errors').note).toMatch(/publishes no API Gateway metrics/);
    expect(html).toContain('data-section="Presence"');
    expect(html).toContain('title="open now: 2"');
  });

  it('colours renewal failures amber but not the renewals beside them', () => {
    // Arrange
    const store = new MetricStore({ now: () => T });
    count(store, 'PresenceSubscriptionRenewals', 5);
    count(store, 'PresenceSubscriptionRenewalFailures', 1);

    // Act
    const html = dashboardHtml(presenceData(store));

    // Assert
    expect(html).toMatch(
      /class="n warn" data-column="Subscription renewals" title="PresenceSubscriptionRenewalFailures: 1"/,
    );
    expect(html).toMatch(/class="n " data-column="Subscription renewals" title="PresenceSubscriptionRenewals: 5"/);
  });

  it('fires the critical renewal alarm only when every run of 30 min failed, and the lag alarm past 5 s', () => {
    // Arrange: a failure in each of the last three 10-minute periods; the fan-out 8 s behind for 10 min
    let now = T - 40 * minute;
    const failing = new MetricStore({ now: () => now });
    const renewing = new MetricStore({ now: () => now });
    now = T;
    for (const at of [T - 20 * minute, T - 10 * minute, T]) {
      count(failing, 'PresenceSubscriptionRenewalFailures', 2, at);
      count(renewing, 'PresenceSubscriptionRenewalFailures', 2, at);
      count(renewing, 'PresenceSubscriptionRenewals', 1, at);
    }
    for (const at of [T - 5 * minute, T]) fanOutAge(failing, 8, at);

    // Act
    const states = presenceData(failing).alarms;
    const partly = presenceData(renewing).alarms;

    // Assert
    const state = (alarms: typeof states, id: string) => {
      const a = alarms.find((x) => x.id === id)!;
      return [a.state, a.severityInAlarm];
    };
    expect(state(states, 'presence-renewals-all-failing')).toEqual(['ALARM', 'critical']);
    expect(state(states, 'presence-renewals-failing')).toEqual(['ALARM', 'warning']);
    expect(state(states, 'presence-notification-lag')).toEqual(['ALARM', 'warning']);
    expect(state(partly, 'presence-renewals-all-failing')).toEqual(['OK', undefined]);
    expect(state(partly, 'presence-renewals-failing')).toEqual(['ALARM', 'warning']);
    expect(states.find((a) => a.id === 'presence-websocket-execution-errors')!.state).toBe('NOT_EVALUATED');
  });
});

describe('labels a person reads', () => {
  it('puts a metric’s name in words, keeping routes, function names and split values as they are', () => {
    expect(readableLabel('PresenceSubscriptionRenewalFailures')).toBe('Presence subscription renewal failures');
    expect(readableLabel('BeatsAccepted')).toBe('Beats accepted');
    expect(readableLabel('POST /v1/activations')).toBe('POST /v1/activations');
    expect(readableLabel('presenceFanOut')).toBe('presenceFanOut');
    expect(readableLabel('201')).toBe('201');
    expect(readableLabel('TelemetryBatches 400')).toBe('Telemetry batches 400');
    expect(readableLabel('GET /v1/accounts/{accountId}')).toBe('GET /v1/accounts/{accountId}');
  });

  it('shows the words in the widget and the metric’s name in its title', () => {
    const store = new MetricStore({ now: () => T });
    store.record(
      { region: 'eu', namespace: 'UcxCloud', name: 'BeatsAccepted', dimensions: { service: 'ucx-cloud' } },
      3,
      T,
    );

    const html = dashboardHtml(data(store));

    expect(html).toContain('<td class="label" title="BeatsAccepted"><span>Beats accepted</span></td>');
  });
});
