/**
 * Composition root of the Presence handlers: each dependency is built on first use, from the
 * environment the function was given (a function without PRESENCE_TOKEN_KEY never opens a token).
 */
import { ApiGatewaySessionChannel } from '../adapters/apigw-session-channel';
import { dynamoDocumentClient } from '../adapters/aws-clients';
import { DynamoDbAuditWriter } from '../adapters/dynamodb-audit-writer';
import { DynamoDbLicensingRepository } from '../adapters/dynamodb-licensing-repository';
import { DynamoDbPresenceStore } from '../adapters/dynamodb-presence-store';
import { tokenVaultFromRef } from '../adapters/kms-token-vault';
import { microsoftConfigFromEnv, msIdentityPlatform, tenantGraphFactory } from '../adapters/ms-identity';
import { notificationDecryptorFromRef } from '../adapters/presence-notification-decryptor';
import { randomIds } from '../adapters/random-ids';
import { SqsFanOutQueue } from '../adapters/sqs-fan-out-queue';
import { systemClock } from '../core/ports';
import type { PresenceDeps } from '../core/presence/deps';
import { emitCount } from './business-metrics';
import { env, required } from './env';
import { servingRegion } from './licensing-deps';
import { logger } from './powertools';

let deps: PresenceDeps | undefined;

const lazy = <T>(make: () => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

export function presenceDeps(): PresenceDeps {
  if (deps) return deps;
  const e = env();
  const microsoft = lazy(() => microsoftConfigFromEnv(e));
  const decryptor = lazy(() => notificationDecryptorFromRef(required('PRESENCE_CERTIFICATE_SECRET')));
  const licensing = lazy(() => new DynamoDbLicensingRepository(dynamoDocumentClient(), required('TABLE_NAME')));
  const graphFactory = lazy(() =>
    tenantGraphFactory(microsoft(), {
      // only creating a subscription needs the certificate: snapshot and UPN reads work without it
      certificates: { certificate: () => decryptor().certificate() },
      onThrottle: () => emitCount('presenceGraphThrottles'),
    }),
  );
  const audit = lazy(() => new DynamoDbAuditWriter(dynamoDocumentClient(), required('TABLE_NAME')));
  const vault = lazy(() => tokenVaultFromRef(required('PRESENCE_TOKEN_KEY')));
  const identity = lazy(() => msIdentityPlatform(microsoft()));
  const channel = lazy(() => new ApiGatewaySessionChannel(required('PRESENCE_CALLBACK_URL')));
  const queue = lazy(() => new SqsFanOutQueue(required('PRESENCE_FANOUT_QUEUE_URL')));
  const built: PresenceDeps = {
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
      return e.PRESENCE_APP_SECRET ? identity() : undefined;
    },
    get graphFor() {
      return e.PRESENCE_APP_SECRET ? graphFactory() : undefined;
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
  deps = built;
  return built;
}
