/**
 * The local dashboard: after an activation and a licence poll, `/local/dashboard.json` shows them
 * (from the EMF the handlers printed) on the support overview, and the service overview counts
 * the requests per route and the functions' invocations.
 */
import type { DashboardData } from '#local/dashboard';
import { activatedAgent, api, newAccount } from '#test/support/licensing-api';

jest.setTimeout(60_000);

const total = (data: DashboardData, dashboard: string, widget: string, label: string): number | null | undefined =>
  data.dashboards
    .find((d) => d.id === dashboard)
    ?.sections.flatMap((s) => s.widgets)
    .find((w) => w.title === widget)
    ?.lines.find((l) => l.label === label)?.total;

describe('GET /local/dashboard.json', () => {
  it('shows Activations and LicencePolls after an activation and a poll', async () => {
    // Arrange
    const accountId = await newAccount();
    const { agent, activation } = await activatedAgent(accountId);
    const poll = await agent.request(api(), 'GET', `/v1/installations/${activation.installationId}/license`);
    expect(poll.status).toBe(200);

    // Act: EMF lines reach the store through the sandbox's stdout, a moment after the answer
    let data: DashboardData | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      data = (await (await fetch(`${api()}/local/dashboard.json`)).json()) as DashboardData;
      if ((total(data, 'support', 'Licence polls by status', 'LicencePolls 200') ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 250));
    }

    // Assert
    expect(total(data!, 'support', 'Activations by status', 'Activations 201')).toBeGreaterThanOrEqual(1);
    expect(total(data!, 'support', 'Licence polls by status', 'LicencePolls 200')).toBeGreaterThanOrEqual(1);
    expect(total(data!, 'service', 'Requests', 'POST /v1/activations')).toBeGreaterThanOrEqual(1);
    expect(total(data!, 'service', 'Latency p99', 'GET /v1/installations/{id}/license')).toBeGreaterThan(0);
    expect(total(data!, 'service', 'Errors', 'activate')).toBe(0);
  });

  it('serves a self-contained HTML page of the same dashboards', async () => {
    // Act
    const res = await fetch(`${api()}/local/dashboard`);
    const html = await res.text();

    // Assert
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toContain('Service overview');
    expect(html).toContain('Support overview');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="http/);
  });
});
