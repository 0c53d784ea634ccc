/**
 * Terms versions and consent on a local cloud of this file's own (its clock is moved): the back
 * office publishes version 2, the terms job mails every administrator (the local outbox), one
 * account accepts, one objects, one stays silent and has silent consent recorded once the clock
 * passes the effective date; the back office's list, the audit log (JSON and CSV) and the history
 * answer accordingly.
 */
import { api, call, newAccount, opsToken } from '#test/support/licensing-api';
import { advanceClock, cloudNow, tokenFor, withOwnCloud } from '#test/support/local-cloud';

jest.setTimeout(240_000);

withOwnCloud();

const DAY_MS = 86_400_000;

interface Admin {
  readonly accountId: string;
  readonly email: string;
  readonly token: string;
}

async function accountWithAdmin(n: number): Promise<Admin> {
  const accountId = await newAccount();
  const email = `terms-admin-${n}-${accountId}@example.com`;
  const invited = await call('POST', `${api()}/v1/accounts/${accountId}/users`, { token: opsToken(), body: { email } });
  if (invited.status !== 201) throw new Error(`invite: ${invited.status} ${invited.text}`);
  return {
    accountId,
    email,
    // Minted at each use: the cloud judges `exp` by its clock, which this file moves.
    get token() {
      return tokenFor({ groups: ['customer'], accountId, sub: `sub-admin-${n}`, extra: { email } });
    },
  };
}

async function runTermsJob(): Promise<unknown> {
  const schedules = await call('GET', `${api()}/local/schedules`);
  const job = (schedules.json.schedules as { id: string; logicalId: string; function: string }[]).find((s) =>
    s.logicalId.startsWith('TermsJobSchedule'),
  );
  if (!job) throw new Error(`no terms job schedule: ${schedules.text}`);
  const run = await call('POST', `${api()}/local/schedules/${encodeURIComponent(job.logicalId)}/run`);
  if (run.status !== 200 || run.json.error) throw new Error(`terms job: ${run.status} ${run.text}`);
  return run.json.result;
}

const statusOf = async (admin: Admin) =>
  (await call('GET', `${api()}/v1/accounts/${admin.accountId}/terms`, { token: admin.token })).json;
const historyAt = async (admin: Admin, at: string) =>
  (
    await call('GET', `${api()}/v1/accounts/${admin.accountId}/terms/history?at=${encodeURIComponent(at)}`, {
      token: opsToken(),
    })
  ).json;

describe('terms versions and consent', () => {
  let accepting: Admin;
  let silent: Admin;
  let objecting: Admin;
  let late: Admin;
  let closed: Admin;
  let effectiveAt: string;
  let before: string;

  beforeAll(async () => {
    accepting = await accountWithAdmin(1);
    silent = await accountWithAdmin(2);
    objecting = await accountWithAdmin(3);
    before = cloudNow().toISOString();
    effectiveAt = new Date(cloudNow().getTime() + 10 * DAY_MS).toISOString();
  });

  it('refuses a past effective date and anyone but the back office', async () => {
    // Arrange
    const body = { title: 'Terms', text: 'New text.', summary: 'Changes.', effectiveAt: before };

    // Act
    const past = await call('POST', `${api()}/v1/ops/terms`, { token: opsToken(), body });
    const byCustomer = await call('POST', `${api()}/v1/ops/terms`, {
      token: accepting.token,
      body: { ...body, effectiveAt: new Date(cloudNow().getTime() + DAY_MS).toISOString() },
    });
    const both = await call('POST', `${api()}/v1/ops/terms`, {
      token: opsToken(),
      body: {
        ...body,
        url: 'https://example.com/terms',
        effectiveAt: new Date(cloudNow().getTime() + DAY_MS).toISOString(),
      },
    });

    // Assert
    expect(past.status).toBe(400);
    expect(past.json.errors).toEqual([{ path: 'effectiveAt', message: 'must be in the future' }]);
    expect(byCustomer.status).toBe(403);
    expect(both.status).toBe(400);
    expect(both.json.errors[0].path).toBe('url');
  });

  it('publishes version 2, mails every administrator once, and shows the notice until accepted', async () => {
    // Arrange
    const body = {
      title: 'Cloud Services Terms of use, 2027',
      url: 'https://example.com/terms/2027',
      summary: 'Data retention periods are now stated per kind of data.',
      effectiveAt,
    };

    // Act
    const published = await call('POST', `${api()}/v1/ops/terms`, { token: opsToken(), body });
    await runTermsJob();
    await runTermsJob();
    const outbox = (await call('GET', `${api()}/local/outbox`)).json.messages as {
      to: string;
      subject: string;
      text: string;
    }[];
    const notice = await statusOf(accepting);
    const listed = await call('GET', `${api()}/v1/terms`, { token: silent.token });

    // Assert
    expect(published.status).toBe(201);
    expect(published.json).toMatchObject({ version: 2, effectiveAt, url: body.url });
    for (const admin of [accepting, silent, objecting]) {
      const mails = outbox.filter((m) => m.to === admin.email && m.subject.startsWith('UCX Cloud terms change'));
      expect(mails).toHaveLength(1);
      expect(mails[0]!.text).toContain(body.summary);
    }
    expect(notice.notice).toMatchObject({ version: 2, status: 'pending', summary: body.summary, effectiveAt });
    expect(notice.applies).toBe(1);
    expect(listed.json).toMatchObject({ current: 1, upcoming: [2] });
  });

  it('records an acceptance (idempotently) and an objection, each only by the account’s own administrator', async () => {
    // Arrange
    const acceptUrl = (a: Admin) => `${api()}/v1/accounts/${a.accountId}/terms/2/acceptance`;
    const objectUrl = (a: Admin) => `${api()}/v1/accounts/${a.accountId}/terms/2/objection`;

    // Act
    const byBackOffice = await call('POST', acceptUrl(accepting), { token: opsToken() });
    const byOtherAccount = await call('POST', acceptUrl(accepting), { token: silent.token });
    const accepted = await call('POST', acceptUrl(accepting), { token: accepting.token });
    const again = await call('POST', acceptUrl(accepting), { token: accepting.token });
    const objectAfterAccepting = await call('POST', objectUrl(accepting), {
      token: accepting.token,
      body: { reason: 'changed my mind' },
    });
    const emptyReason = await call('POST', objectUrl(objecting), { token: objecting.token, body: { reason: ' ' } });
    const objected = await call('POST', objectUrl(objecting), {
      token: objecting.token,
      body: { reason: 'We cannot accept the new retention periods.' },
    });

    // Assert
    expect(byBackOffice.status).toBe(403);
    expect(byOtherAccount.status).toBe(403);
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ status: 'accepted', by: { sub: 'sub-admin-1', email: accepting.email } });
    expect(again.json).toEqual(accepted.json);
    expect(accepted.json).toMatchObject({ noticeSentAt: expect.any(String), noticeRecipients: 1 });
    expect(objectAfterAccepting.status).toBe(409);
    expect(emptyReason.status).toBe(400);
    expect(emptyReason.json.errors[0].path).toBe('reason');
    expect(objected.json).toMatchObject({ status: 'objected', reason: 'We cannot accept the new retention periods.' });
    expect((await statusOf(accepting)).notice).toBeNull();
    expect((await statusOf(objecting)).notice).toMatchObject({ version: 2, status: 'objected' });
  });

  it('notices an account created after the notice pass, and neither mails nor binds a closed one', async () => {
    // Arrange
    late = await accountWithAdmin(4);
    closed = await accountWithAdmin(5);
    const name = (await call('GET', `${api()}/v1/accounts/${closed.accountId}`, { token: opsToken() })).json.name;
    const closing = await call('POST', `${api()}/v1/accounts/${closed.accountId}/closure`, {
      token: opsToken(),
      body: { confirmName: name },
    });

    // Act
    await runTermsJob();
    const outbox = (await call('GET', `${api()}/local/outbox`)).json.messages as { to: string; subject: string }[];
    const account = await call('GET', `${api()}/v1/accounts/${closed.accountId}`, { token: opsToken() });

    // Assert
    expect(closing.status).toBe(200);
    const notices = (email: string) => outbox.filter((m) => m.to === email && m.subject.startsWith('UCX Cloud terms'));
    expect(notices(late.email)).toHaveLength(1);
    expect(notices(closed.email)).toHaveLength(0);
    expect(account.json).toMatchObject({
      status: 'closed',
      closedAt: expect.any(String),
      eraseAfter: expect.any(String),
    });
  });

  it('records silent consent once the clock passes the effective date; the back office sees all three', async () => {
    // Arrange
    const after = new Date(new Date(effectiveAt).getTime() + DAY_MS).toISOString();

    // Act
    await advanceClock({ days: 11 });
    await runTermsJob();
    const consents = await call('GET', `${api()}/v1/ops/terms/2/consents`, { token: opsToken() });
    const csv = await call('GET', `${api()}/v1/ops/terms/2/consents?format=csv`, { token: opsToken() });
    const lateObjection = await call('POST', `${api()}/v1/accounts/${silent.accountId}/terms/2/objection`, {
      token: silent.token,
      body: { reason: 'too late' },
    });

    // Assert
    const byAccount = Object.fromEntries(
      (consents.json.consents as { accountId: string; status: string }[]).map((c) => [c.accountId, c]),
    );
    expect(consents.json.noticesComplete).toBe(true);
    expect(byAccount[accepting.accountId]).toMatchObject({ status: 'accepted' });
    expect(byAccount[silent.accountId]).toMatchObject({ status: 'silent', by: 'silent-consent', at: effectiveAt });
    expect(byAccount[objecting.accountId]).toMatchObject({
      status: 'objected',
      reason: expect.stringContaining('retention'),
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text).toContain(`${silent.accountId},2,silent,${effectiveAt},silent-consent`);
    expect(csv.text).toContain(`${objecting.accountId},2,objected`);
    expect(lateObjection.status).toBe(409);
    expect((await historyAt(silent, before)).version).toBe(1);
    expect(await historyAt(silent, after)).toMatchObject({ version: 2, basis: 'silent' });
    expect(await historyAt(accepting, after)).toMatchObject({ version: 2, basis: 'accepted' });
    expect(await historyAt(objecting, after)).toMatchObject({ version: 1, basis: 'implicit' });
    expect(byAccount[late.accountId]).toMatchObject({ status: 'silent', at: effectiveAt });
    expect(byAccount[closed.accountId]).toBeUndefined();
  });

  it('puts an account created after version 2 took effect under it from its creation, without a notice', async () => {
    // Arrange
    const created = await accountWithAdmin(6);
    const now = cloudNow().toISOString();

    // Act
    await runTermsJob();
    const standing = await statusOf(created);
    const history = await historyAt(created, now);

    // Assert
    expect(standing).toMatchObject({ applies: 2, notice: null });
    expect(history).toMatchObject({ version: 2, basis: 'in-force-at-creation' });
  });

  it('puts every consent in the account’s audit log and its CSV', async () => {
    // Arrange
    const audit = (a: Admin, format = '') =>
      call('GET', `${api()}/v1/accounts/${a.accountId}/audit${format}`, { token: opsToken() });

    // Act
    const acceptingLog = await audit(accepting);
    const silentLog = await audit(silent);
    const objectingLog = await audit(objecting);
    const silentCsv = await audit(silent, '?format=csv');

    // Assert
    const actions = (log: { json: { events: { action: string }[] } }) => log.json.events.map((e) => e.action);
    expect(actions(acceptingLog)).toEqual(expect.arrayContaining(['terms.published', 'terms.accepted']));
    expect(actions(silentLog)).toEqual(expect.arrayContaining(['terms.published', 'terms.silent-consent']));
    expect(actions(objectingLog)).toEqual(expect.arrayContaining(['terms.published', 'terms.objected']));
    expect(actions(acceptingLog).filter((a) => a === 'terms.published')).toHaveLength(1);
    expect(silentCsv.text).toMatch(/terms\.silent-consent,system,silent-consent/);
  });
});
