/**
 * Swapped in at bundling time for `@aws-sdk/credential-provider-node` (see the house function's
 * esbuild alias). Lambda always hands a function its role's credentials as environment
 * variables, so the default chain's SSO, INI, process and container providers are dead weight:
 * ~135 KB of bundle and their module init at every cold start. The local cloud sets the same
 * variables with its dummy credentials.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
