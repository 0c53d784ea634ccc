/**
 * Staff sign-in with a second factor in the portal: a back-office user without an authenticator is
 * led to add one (the key shown as text, the first code), then signs in with the password and an
 * authenticator code and lands on the back office; the demo staff of cloud.json sign in the same way.
 */
import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { api, call } from '#test/support/licensing-api';
import { cloud } from '#test/support/local-cloud';
import { useE2eBrowser } from './support/browser';

jest.setTimeout(120_000);

const browser = useE2eBrowser();
const password = 'correct horse 42';

/** The code of the authenticator `stepsAhead` 30-second steps from the cloud's now (a code is good once). */
async function codeOf(secret: string, stepsAhead = 0): Promise<string> {
  const now = Date.parse(((await call('GET', `${api()}/local/clock`)).json as { now: string }).now);
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: now + stepsAhead * 30_000,
  });
}

describe('staff sign-in in the portal', () => {
  it('leads a back-office user without an authenticator to add one, then signs it in with a code', async () => {
    // Arrange
    const email = `ops-${randomUUID().slice(0, 8)}@example.com`;
    await call('POST', `${api()}/local/auth/sign-up`, { body: { email, password } });
    const { messages } = (await call('GET', `${api()}/local/outbox`)).json as {
      messages: { to: string; code: string }[];
    };
    await call('POST', `${api()}/local/auth/verify`, {
      body: { email, code: messages.find((m) => m.to === email)!.code },
    });
    await call('POST', `${api()}/local/auth/users/link`, { body: { email, groups: ['backoffice'] } });
    const page = await browser.page();
    await page.goto(`${api()}/`);
    const signIn = page.getByRole('form', { name: 'Sign in' });

    // Act
    await signIn.getByLabel('E-mail').fill(email);
    await signIn.getByLabel('Password').fill(password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    const enrol = page.getByRole('form', { name: 'Add an authenticator' });
    const secret = (await enrol.locator('.totp-secret').textContent())!;
    const uri = await enrol.getByRole('link', { name: 'Open in an authenticator app' }).getAttribute('href');
    await enrol.getByLabel('Authenticator code').fill(await codeOf(secret));
    await enrol.getByRole('button', { name: 'Add authenticator' }).click();
    await page.getByText('Authenticator added. Sign in again').waitFor();
    await signIn.getByLabel('Password').fill(password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    const finish = page.getByRole('form', { name: 'Finish signing in' });
    await finish.getByLabel('Answer').fill(await codeOf(secret, 1));
    await finish.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/#\/ops$/);

    // Assert
    expect(uri).toMatch(new RegExp(`^otpauth://totp/.*secret=${secret}`));
    expect(await page.getByText('Back office', { exact: false }).count()).toBeGreaterThan(0);
    await page.close();
  });

  it('signs the demo back-office user of cloud.json in with its password and key', async () => {
    // Arrange
    const ops = cloud().demo.staff!.find((s) => s.groups.includes('backoffice'))!;
    const page = await browser.page();
    await page.goto(`${api()}/`);
    const signIn = page.getByRole('form', { name: 'Sign in' });

    // Act
    await signIn.getByLabel('E-mail').fill(ops.email);
    await signIn.getByLabel('Password').fill(ops.password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    const finish = page.getByRole('form', { name: 'Finish signing in' });
    await finish.getByLabel('Answer').fill(await codeOf(ops.totpSecret, 1));
    await finish.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/#\/ops$/);

    // Assert
    expect(page.url()).toMatch(/#\/ops$/);
    await page.close();
  });
});
