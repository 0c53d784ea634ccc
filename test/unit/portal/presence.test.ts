/** The Presence Service section's logic: the way back from Microsoft's sign-in, the API's answer read, and the words. */
import {
  authorizeTarget,
  connectionText,
  disconnectText,
  mayConnect,
  presenceReturnText,
  presenceStateOf,
  presenceSwitchText,
  readPresenceReturn,
  sessionsText,
  switchOffText,
  withoutPresenceReturn,
} from '#portal/src/presence';

const page = 'https://portal.example/#/accounts/acc_12345678';
const tenant = { tenantId: 't-1', connectedBy: 'admin@contoso.example', connectedAt: '2026-03-01T23:30:00Z' };

describe('the way back from Microsoft’s sign-in', () => {
  it('reads the outcome the callback puts in the query, before the route', () => {
    const connected = readPresenceReturn('https://portal.example/?presence=connected#/accounts/acc_12345678');
    const refused = readPresenceReturn(
      'https://portal.example/?presence=error&reason=The+administrator+declined+consent.#/accounts/acc_12345678',
    );

    expect(connected).toEqual({ outcome: 'connected' });
    expect(refused).toEqual({ outcome: 'error', reason: 'The administrator declined consent.' });
  });

  it('reads it after the route too, where a callback appending to the address as text puts it', () => {
    const result = readPresenceReturn(`${page}?presence=error&reason=consent%20required`);

    expect(result).toEqual({ outcome: 'error', reason: 'consent required' });
  });

  it('finds nothing in an ordinary address or an unknown outcome, and cuts a long reason short', () => {
    const long = readPresenceReturn(`https://portal.example/?presence=error&reason=${'x'.repeat(1000)}#/`);

    expect(readPresenceReturn(page)).toBeUndefined();
    expect(readPresenceReturn('https://portal.example/?presence=maybe#/')).toBeUndefined();
    expect(long).toEqual({ outcome: 'error', reason: 'x'.repeat(300) });
    expect(readPresenceReturn('https://portal.example/?presence=error&reason=%20%20#/')).toEqual({
      outcome: 'error',
      reason: undefined,
    });
  });

  it('takes the outcome out of the address, keeping the route and any other parameter', () => {
    expect(withoutPresenceReturn('https://portal.example/?presence=connected#/accounts/acc_12345678')).toBe(page);
    expect(withoutPresenceReturn(`https://portal.example/?lang=de&presence=error&reason=no#/accounts/acc_1`)).toBe(
      'https://portal.example/?lang=de#/accounts/acc_1',
    );
    expect(withoutPresenceReturn(`${page}?presence=error&reason=no`)).toBe(page);
    expect(withoutPresenceReturn(`${page}?tab=2&presence=connected`)).toBe(`${page}?tab=2`);
  });

  it('sends the page itself as returnTo, and leaves a reason that is not ours alone', () => {
    expect(withoutPresenceReturn(page)).toBe(page);
    expect(withoutPresenceReturn('http://127.0.0.1:4100/?reason=x#/accounts/acc_1')).toBe(
      'http://127.0.0.1:4100/?reason=x#/accounts/acc_1',
    );
  });

  it('says how it went', () => {
    expect(presenceReturnText({ outcome: 'connected' })).toBe('Microsoft 365 tenant connected.');
    expect(presenceReturnText({ outcome: 'error', reason: 'Consent was declined.' })).toBe(
      'Microsoft 365 was not connected: Consent was declined.',
    );
    expect(presenceReturnText({ outcome: 'error', reason: undefined })).toMatch(/^Microsoft 365 was not connected\. /);
  });

  it('navigates only to a web address', () => {
    expect(authorizeTarget('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?x=1')).toBe(
      'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?x=1',
    );
    expect(authorizeTarget('http://127.0.0.1:4700/authorize')).toBe('http://127.0.0.1:4700/authorize');
    expect(authorizeTarget('javascript:alert(1)')).toBeUndefined();
    expect(authorizeTarget('/relative')).toBeUndefined();
    expect(authorizeTarget(undefined)).toBeUndefined();
  });
});

describe('the API’s answer', () => {
  it('reads the contract’s shape', () => {
    expect(presenceStateOf({ enabled: false })).toEqual({ enabled: false });
    expect(presenceStateOf({ enabled: true, tenant, sessions: 3 })).toEqual({ enabled: true, tenant, sessions: 3 });
  });

  it('refuses an answer it cannot read rather than taking it for "not connected"', () => {
    expect(presenceStateOf(undefined)).toBeUndefined();
    expect(presenceStateOf({})).toBeUndefined();
    expect(presenceStateOf({ enabled: 'yes' })).toBeUndefined();
    expect(presenceStateOf({ enabled: true, tenant: 'contoso' })).toBeUndefined();
  });

  it('reads a connection Microsoft no longer accepts, and offers to connect again only then', () => {
    const revoked = presenceStateOf({ enabled: true, tenant: { ...tenant, needsReconnect: true }, sessions: 0 });

    expect(revoked?.tenant?.needsReconnect).toBe(true);
    expect(revoked && mayConnect(revoked)).toBe(true);
    expect(mayConnect({ enabled: true, tenant })).toBe(false);
    expect(mayConnect({ enabled: true })).toBe(true);
    expect(mayConnect({ enabled: false })).toBe(false);
    expect(revoked && presenceSwitchText(revoked)).toContain('no longer accepts');
  });

  it('drops a session count that is no count', () => {
    expect(presenceStateOf({ enabled: true, sessions: -1 })).toEqual({ enabled: true });
    expect(presenceStateOf({ enabled: true, sessions: '2' })).toEqual({ enabled: true });
  });
});

describe('the words', () => {
  it('says who connected which tenant on which day (UTC)', () => {
    expect(connectionText(tenant)).toBe('Connected to tenant t-1 by admin@contoso.example on 2026-03-01');
    expect(connectionText({ ...tenant, connectedAt: '' })).toBe('Connected to tenant t-1 by admin@contoso.example');
  });

  it('counts the live sessions', () => {
    expect(sessionsText(1)).toBe('1 live session of the suite');
    expect(sessionsText(0)).toBe('0 live sessions of the suite');
  });

  it('describes each state of the switch, the connection kept while off', () => {
    expect(presenceSwitchText({ enabled: false })).toBe('The Presence Service is off.');
    expect(presenceSwitchText({ enabled: false, tenant })).toContain('the tenant stays connected');
    expect(presenceSwitchText({ enabled: true })).toContain('Connect the account’s Microsoft 365 tenant');
    expect(presenceSwitchText({ enabled: true, tenant })).toContain('served from the connected tenant');
  });

  it('warns before switching off that the connection is kept and the sessions are closed', () => {
    expect(switchOffText(tenant, 2)).toBe(
      'The connection to tenant t-1 is kept, but the suite’s 2 live sessions are closed, and the suite gets no presence until the service is turned on again.',
    );
    expect(switchOffText(tenant, 1)).toContain('the suite’s 1 live session is closed');
    expect(switchOffText(tenant, undefined)).toContain('the suite’s live sessions are closed');
  });

  it('says before disconnecting what is closed and what is erased', () => {
    const text = disconnectText(tenant, 4);

    expect(text).toMatch(/^The suite’s 4 live sessions are closed, /);
    expect(text).toContain('Microsoft 365 tokens, presence subscriptions and every stored presence from tenant t-1');
    expect(disconnectText(tenant, 0)).toMatch(/^No session of the suite is live now, /);
  });
});
