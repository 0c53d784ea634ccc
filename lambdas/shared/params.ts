/** Path parameters shared by several routes. */
import * as z from 'zod/mini';
import { termsVersionNumberSchema } from '../core/accounts/terms-model';
import { accountIdSchema } from '../core/licensing/ids';

export const installationParams = z.object({
  id: z.string().check(z.regex(/^inst_[a-z0-9]{8,32}$/, 'not an installation id')),
});
export const accountParams = z.object({ accountId: accountIdSchema });
export const accountInstallationParams = z.extend(accountParams, { installationId: installationParams.shape.id });
export const supportInstallationParams = z.object({ installationId: installationParams.shape.id });
export const termsVersionParams = z.object({ version: termsVersionNumberSchema });
export const accountTermsParams = z.extend(accountParams, { version: termsVersionNumberSchema });
