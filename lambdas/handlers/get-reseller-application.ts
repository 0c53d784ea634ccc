/** GET /v1/resellers/application (the signed-in person): their own reseller application and its status. */
import { ownResellerApplication } from '../core/accounts/resellers';
import { resellerStore } from '../shared/accounts-deps';
import { httpRoute, personOf } from '../shared/http';

export const handler = httpRoute({}, async (request) => ({
  status: 200,
  body: await ownResellerApplication({ resellers: resellerStore() }, personOf(request)),
}));
