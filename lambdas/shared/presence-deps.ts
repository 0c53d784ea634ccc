/**
 * Composition root of the Presence handlers: each dependency is built on first use, from the
 * environment the function was given (a function without PRESENCE_TOKEN_KEY never opens a token).
 * The Microsoft side (identity platform, tenant Graph) is wired by presence-graph-deps.ts: only the
 * handlers that call Microsoft import it, so only their bundles hold the OAuth client.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ApiGatewaySessionChannel } from '../adapters/apigw-session-channel';
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbAuditWriter } from '../adapters/dynamodb-audit-writer';
import { DynamoDbLicensingReads } from '../adapters/dynamodb-licensing-reads';
import { DynamoDbPresenceStore } from '../adapters/dynamodb-presence-store';
import { tokenVaultFromRef } from '../adapters/kms-token-vault';
import { notificationDecryptorFromRef } from '../adapters/presence-notification-decryptor';
import { randomIds } from '../adapters/random-ids';
import { SqsFanOutQueue } from '../adapters/sqs-fan-out-queue';
import { systemClock } from '../core/ports';
import type { PresenceDeps } from '../core/presence/deps';
import type { IdentityPlatform, NotificationDecryptor, TenantGraphFactory } from '../core/presence/ports';
import { emitCount } from './business-metrics';
import { env, required, type Env } from './env';
import { servingRegion } from './serving-region';
import { logger } from './powertools';

/** Built on first call, then kept (presence-graph-deps.ts uses it too). */
export const lazy = <T>(make: () => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

/** The Microsoft side, built on first use from the function's environment (presence-graph-deps.ts). */
export interface PresenceGraphWiring {
  identity(): IdentityPlatform;
  graphFor(): TenantGraphFactory;
}
export type WireGraph = (from: { env: Env; decryptor: () => NotificationDecryptor }) => PresenceGraphWiring;

let deps: PresenceDeps | undefined;

/** For the handlers that never call Microsoft nor write the audit log: `identity` and `graphFor` are not wired. */
export function presenceDeps(): PresenceDeps {
  deps ??= composePresenceDeps();
  return deps;
}

/**
 * The dependencies; `wireGraph` adds the identity platform and the tenant Graph. `licensingTable` is
 * the client of the licensing table (its account reads and audit log): the plain one unless the
 * function writes the audit log (presence-audit-deps.ts).
 */
export function composePresenceDeps(
  wireGraph?: WireGraph,
  licensingTable: () => DynamoDBDocumentClient = dynamoDocumentClient,
): PresenceDeps {
  const e = env();
  const decryptor = lazy(() => notificationDecryptorFromRef(required('PRESENCE_CERTIFICATE_SECRET')));
  const licensing = lazy(() => new DynamoDbLicensingReads(licensingTable(), required('TABLE_NAME')));
  const graph = wireGraph?.({ env: e, decryptor });
  const audit = lazy(() => new DynamoDbAuditWriter(licensingTable(), required('TABLE_NAME')));
  const vault = lazy(() => tokenVaultFromRef(required('PRESENCE_TOKEN_KEY')));
  const channel = lazy(() => new ApiGatewaySessionChannel(required('PRESENCE_CALLBACK_URL')));
  const queue = lazy(() => new SqsFanOutQueue(required('PRESENCE_FANOUT_QUEUE_URL')));
  return {
    store: new DynamoDbPresenceStore(dynamoDocumentClient(), required('PRESENCE_TABLE_NAME'), systemClock),
    clock: systemClock,
    ids: randomIds,
    log: { warn: (message, details) => logger.warn(message, details) },
    metrics: { count: (name, value = 1) => emitCount(name, value) },
    here: servingRegion(),
    get licensing() {
      return e.TABLE_NAME
        ? {
            getInstallation: (id: string) => licensing().getInstallation(id, { consistentRead: false }),
            getAccount: (id: string) => licensing().getAccount(id),
          }
        : undefined;
    },
    get audit() {
      return e.TABLE_NAME ? audit() : undefined;
    },
    get vault() {
      return e.PRESENCE_TOKEN_KEY ? vault() : undefined;
    },
    get identity() {
      return graph && e.PRESENCE_APP_SECRET ? graph.identity() : undefined;
    },
    get graphFor() {
      return graph && e.PRESENCE_APP_SECRET ? graph.graphFor() : undefined;
    },
    get decryptor() {
      return e.PRESENCE_CERTIFICATE_SECRET ? decryptor() : undefined;
    },
    get channel() {
      return e.PRESENCE_CALLBACK_URL ? channel() : undefined;
    },
    get queue() {
      return e.PRESENCE_FANOUT_QUEUE_URL ? queue() : undefined;
    },
    get urls() {
      return e.PRESENCE_NOTIFICATION_URL && e.PRESENCE_LIFECYCLE_URL && e.PRESENCE_REDIRECT_URL
        ? {
            notification: e.PRESENCE_NOTIFICATION_URL,
            lifecycle: e.PRESENCE_LIFECYCLE_URL,
            redirect: e.PRESENCE_REDIRECT_URL,
            portalOrigins: e.PORTAL_URL ? [e.PORTAL_URL] : [],
          }
        : undefined;
    },
  };
}
