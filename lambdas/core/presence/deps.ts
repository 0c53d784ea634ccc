/** What the Presence use cases need; handlers build it once per container (lambdas/shared/presence-deps.ts). */
import type { AuditEvent, Installation } from '../licensing/model';
import type { ServingRegion } from '../licensing/home-region';
import type { SmartAccount } from '../licensing/model';
import type { Clock, IdGenerator, Logger } from '../ports';
import type { IdentityPlatform, NotificationDecryptor, SessionChannel, TenantGraphFactory, TokenVault } from './ports';
import type { FanOutQueue, PresenceStore } from './store';

/** The licensing facts Presence reads: who the installation is, and its account. */
export interface LicensingFacts {
  getInstallation(installationId: string): Promise<Installation | null>;
  getAccount(accountId: string): Promise<SmartAccount | null>;
}

export interface AuditWriter {
  append(event: AuditEvent): Promise<void>;
}

export interface PresenceUrls {
  readonly notification: string;
  readonly lifecycle: string;
  /** the OAuth redirect URI (this region's callback route) */
  readonly redirect: string;
  /** origins the browser may be sent back to after consent: the portal's (and the API's own, where it serves the portal) */
  readonly portalOrigins: readonly string[];
}

/** Counts for the operators' dashboard (Powertools metrics at the edge). */
export interface PresenceMetrics {
  count(name: PresenceMetricName, value?: number): void;
}

export type PresenceMetricName =
  | 'presenceNotifications'
  | 'presenceNotificationsDropped'
  | 'presenceUpdatesSent'
  | 'presenceSubscriptionRenewals'
  | 'presenceSubscriptionRenewalFailures'
  | 'presenceGraphThrottles'
  | 'presenceGraphReads';

export interface PresenceDeps {
  readonly store: PresenceStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly log: Logger;
  readonly metrics: PresenceMetrics;
  readonly here?: ServingRegion;
  readonly licensing?: LicensingFacts;
  readonly audit?: AuditWriter;
  readonly vault?: TokenVault;
  readonly identity?: IdentityPlatform;
  readonly graphFor?: TenantGraphFactory;
  readonly decryptor?: NotificationDecryptor;
  readonly channel?: SessionChannel;
  readonly queue?: FanOutQueue;
  readonly urls?: PresenceUrls;
}

/** A dependency the handler's composition root must have provided. */
export function need<K extends keyof PresenceDeps>(deps: PresenceDeps, key: K): NonNullable<PresenceDeps[K]> {
  const value = deps[key];
  if (value === undefined) throw new Error(`presence: ${key} is not wired in this function`);
  return value as NonNullable<PresenceDeps[K]>;
}
