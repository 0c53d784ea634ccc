/** POST /v1/accounts (a signed-in person without an account): creates their Smart Account, with them as its administrator. */
import { createAccount, createAccountBodySchema } from '../core/accounts/sign-up';
import { accountsDeps } from '../shared/accounts-deps';
import { httpRoute, personOf } from '../shared/http';
import { termsDeps } from '../shared/terms-deps';

export const handler = httpRoute({ body: createAccountBodySchema, maxBodyBytes: 4 * 1024 }, async (request) => {
  const { created, account } = await createAccount(
    { ...accountsDeps(), terms: termsDeps().terms },
    personOf(request),
    request.body,
  );
  return { status: created ? 201 : 200, body: account };
});
