/**
 * Composition root of the Presence handlers that call Microsoft (consent, Graph subscriptions and
 * reads): presence-deps.ts's dependencies with the identity platform and the tenant Graph. The OAuth
 * client (oauth4webapi) is in these handlers' bundles only.
 */
import { microsoftConfigFromEnv, msIdentityPlatform, tenantGraphFactory } from '../adapters/ms-identity';
import type { PresenceDeps } from '../core/presence/deps';
import { emitCount } from './business-metrics';
import { composePresenceDeps, lazy, type WireGraph } from './presence-deps';

/** The identity platform and the tenant Graph, built on first use (presence-audit-deps.ts uses it too). */
export const wireMicrosoft: WireGraph = ({ env, decryptor }) => {
  const microsoft = lazy(() => microsoftConfigFromEnv(env));
  return {
    identity: lazy(() => msIdentityPlatform(microsoft())),
    graphFor: lazy(() =>
      tenantGraphFactory(microsoft(), {
        // only creating a subscription needs the certificate: snapshot and UPN reads work without it
        certificates: { certificate: () => decryptor().certificate() },
        onThrottle: () => emitCount('presenceGraphThrottles'),
      }),
    ),
  };
};

let deps: PresenceDeps | undefined;

/** For the handlers that call Microsoft and do not write the audit log. */
export function presenceGraphDeps(): PresenceDeps {
  deps ??= composePresenceDeps(wireMicrosoft);
  return deps;
}
