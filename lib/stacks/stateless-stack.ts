/**
 * What a deployment may replace at will, per region: one house function per entry of
 * `functionSpecs`, the HTTP API built from the route table, the stream consumers of
 * `streamConsumers`, the missing-beat sweep's schedule, the Cognito user pool whose JWTs
 * authorise the 'user' routes, and the Presence Service's WebSocket API, fan-out consumer and
 * subscription renewal. Everything here binds to the same region's stateful stack only: EU
 * telemetry and presence are never written in the US.
 */
import {
  ArnFormat,
  CfnOutput,
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
  type ThrottleSettings,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
  HttpUserPoolAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  type CfnUserPool,
  ClientAttributes,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  ResourceServerScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
  type UserPoolResourceServer,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { apiAccessLogFields } from '../api-access-log';
import { defaultMailConfig, portalUrls, signingKeyIds, type AppConfig, type RegionKey } from '../config';
import { HouseFunction } from '../constructs/house-function';
import { Mail } from '../constructs/mail';
import { PortalSite } from '../constructs/portal-site';
import { UserPoolFirewall } from '../constructs/user-pool-firewall';
import { bindArchiveCompaction } from '../constructs/archive-compaction';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import {
  functionSpecs,
  mayWriteAuditItems,
  presenceQueueConsumer,
  routes,
  routeThrottle,
  streamConsumers,
  tableItemScopeOf,
  type ConsumedStream,
  type FunctionName,
  type FunctionSpec,
  type RouteAuth,
} from '../routes';
import { machineScopes, resourceServerId } from '../../lambdas/core/accounts/machine-clients';
import { accountViewRepairInput } from '../../lambdas/shared/scheduled-inputs';
import { signingKeyAliasName, type StatefulStack } from './stateful-stack';

/** How often EventBridge Scheduler runs the missing-beat sweep (sweepSilent). */
export const silentSweepRate = Duration.minutes(15);
/** How often EventBridge Scheduler runs the stale-installation release (releaseStale): its notices are days apart. */
export const staleReleaseRate = Duration.hours(1);
/**
 * How often releaseStale repairs the account view alone: the copies of an account's terms a writer
 * left owed (docs/licensing.md "The account view"), so a telemetry switch-off reaches every
 * installation within this even after a crash between a commit and its copies.
 */
export const accountViewRepairRate = Duration.minutes(5);

/** How often EventBridge Scheduler runs the terms job (notices in batches, then silent consent at the effective date). */
export const termsJobRate = Duration.hours(1);

/** How often EventBridge Scheduler renews the Graph presence subscriptions (60 minutes at most each). */
export const presenceRenewalRate = Duration.minutes(10);
/** How often the eraser of closed accounts runs (docs/retention.md): its periods are days; an unfinished account goes on 6 h later. */
export const accountEraserRate = Duration.hours(6);
/** How often EventBridge Scheduler runs the archive compaction (compactArchive): each closed hour once. */
export const archiveCompactionRate = Duration.hours(1);
/** The presence WebSocket API's one stage: its URL is the session's endpoint (`presence` locally). */
export const presenceStageName = 'v1';
/** The WebSocket routes and their functions; every frame goes down through @connections (no route responses). */
export const presenceWebSocketRoutes = {
  $connect: 'presenceConnect',
  $disconnect: 'presenceDisconnect',
  $default: 'presenceMessage',
} as const satisfies Record<string, FunctionName>;

/** Cognito groups that authorise the back office, portal and support routes. */
export const userGroups = ['backoffice', 'support', 'reseller', 'customer'] as const;

export interface StatelessStackProps extends StackProps {
  /** the validated app configuration */
  readonly config: AppConfig;
  /** region this stack deploys to */
  readonly regionKey: RegionKey;
  /** the same region's stateful stack: table and signing key */
  readonly stateful: StatefulStack;
  /**
   * throttling of the API's default stage, for every route
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: ThrottleSettings;
  /**
   * the portal's files: `'build'` builds `portal/` with esbuild at synth time, a directory is
   * uploaded as it is
   * @default 'build'
   */
  readonly portalAssets?: string;
  /**
   * the edge stack's CLOUDFRONT-scope web ACL for this region (us-east-1: a cross-region reference)
   * @default no WAF in front of the portal and API
   */
  readonly webAclArn?: string;
}

/** `get-license` → `GetLicense`, `getLicense` → `GetLicense`; for construct ids. */
const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

export class StatelessStack extends Stack {
  /** the regional HTTP API */
  public readonly api: HttpApi;
  /** its `$default` stage, the one with the URL */
  public readonly stage: HttpStage;
  /** one house function per entry of `functionSpecs` */
  public readonly functions: Readonly<Record<FunctionName, HouseFunction>>;
  /** portal, reseller, support and back-office users of this region */
  public readonly userPool: UserPool;
  /** the portal's public client (no secret; SRP only) */
  public readonly userPoolClient: UserPoolClient;
  /** the API's scopes machine clients are granted (`ucx/orders:write`, `ucx/accounts:read`) */
  public readonly resourceServer: UserPoolResourceServer;
  /** the pool's Cognito domain: machine clients' `/oauth2/token` */
  public readonly userPoolDomain: UserPoolDomain;
  /** per-address rate limits on the pool's sign-up, e-mail and sign-in operations */
  public readonly userPoolFirewall: UserPoolFirewall;
  /** runs sweepSilent every `silentSweepRate` */
  public readonly silentSweepSchedule: Schedule;
  /** what the scheduler could not deliver to sweepSilent (or to releaseStale) */
  public readonly silentSweepDeadLetterQueue: Queue;
  /** runs releaseStale every `staleReleaseRate` */
  public readonly staleReleaseSchedule: Schedule;
  /** runs releaseStale's account-view repair alone every `accountViewRepairRate` */
  public readonly accountViewRepairSchedule: Schedule;
  /** the API stage's access log (one JSON line per request) */
  public readonly apiAccessLogGroup: LogGroup;
  /** the suite's Presence sessions: route selection on `op`, every frame down through @connections */
  public readonly presenceApi: WebSocketApi;
  /** its stage `v1`: `wss://…/v1`, and the @connections callback URL */
  public readonly presenceStage: WebSocketStage;
  /** the stage's access log (one JSON line per connect, message and disconnect) */
  public readonly presenceAccessLogGroup: LogGroup;
  /** runs renewPresenceSubscriptions every `presenceRenewalRate` */
  public readonly presenceRenewalSchedule: Schedule;
  /** outgoing e-mail: SES identity and configuration set (terms notices) */
  public readonly mail: Mail;
  /** runs runTermsJob every `termsJobRate` */
  public readonly termsJobSchedule: Schedule;
  /** runs eraseClosedAccounts every `accountEraserRate` */
  public readonly accountEraserSchedule: Schedule;
  /** the portal: built at synth time, served by CloudFront with this region's API on /v1/* */
  public readonly portal: PortalSite;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    // The edge stack's web ACL is in us-east-1: CDK passes its ARN through SSM across regions.
    super(scope, id, { ...props, crossRegionReferences: props.webAclArn !== undefined || props.crossRegionReferences });
    const { config, regionKey, stateful } = props;
    if (stateful.region !== this.region) {
      throw new Error(
        `StatelessStack ${id}: its stateful stack ${stateful.stackName} is in ${stateful.region}, not ${this.region}`,
      );
    }

    // The pool first: the account-users functions are bound to it.
    ({ userPool: this.userPool, client: this.userPoolClient } = this.buildUserPool());
    ({ resourceServer: this.resourceServer, domain: this.userPoolDomain } = this.buildMachineClientSupport(
      config,
      regionKey,
    ));

    // The APIs and their stages before the functions: presence functions are bound to their URLs
    // (no cycle: a function's variables name an API, and only the API's routes name the function).
    this.api = new HttpApi(this, 'HttpApi', {
      description: `UCX ${config.stage} ${regionKey}: agent, portal, back-office and support API`,
      // Created below with throttling, which the built-in default stage cannot take.
      createDefaultStage: false,
    });
    this.apiAccessLogGroup = new LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays as RetentionDays,
      // Generated name, this stage's only: kept, it would be orphaned by a replacement.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      // Fallback for a route without its own settings (every route has them: routeThrottle).
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      // Per-route Count, 4xx, 5xx and latency: the service dashboard shows each route.
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.apiAccessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(apiAccessLogFields)),
      },
    });
    ({
      api: this.presenceApi,
      stage: this.presenceStage,
      accessLogGroup: this.presenceAccessLogGroup,
    } = this.buildPresenceApi(config, regionKey));

    this.mail = new Mail(this, 'Mail', config.mail ?? defaultMailConfig);
    this.functions = this.buildFunctions(config, regionKey, stateful);
    this.connectStreamConsumers(stateful, config.telemetryShards);
    this.connectPreTokenGeneration();
    this.sendUserPoolMailThroughSes();
    this.userPoolFirewall = new UserPoolFirewall(this, 'UserPoolFirewall', { userPool: this.userPool });
    this.connectPresence(stateful);
    ({ schedule: this.silentSweepSchedule, deadLetterQueue: this.silentSweepDeadLetterQueue } =
      this.scheduleSilentSweep());
    this.staleReleaseSchedule = this.scheduleStaleRelease(this.silentSweepDeadLetterQueue);
    this.accountViewRepairSchedule = this.scheduleRun(
      'AccountViewRepairSchedule',
      "UCX licensing: copies an account's terms to its installations where a writer stopped short",
      'releaseStale',
      accountViewRepairRate,
      this.silentSweepDeadLetterQueue,
      accountViewRepairInput,
    );
    this.presenceRenewalSchedule = this.schedulePresenceRenewal(this.silentSweepDeadLetterQueue);
    // Dead-letters beside the sweep; a missed hour only delays notices and silent consent by one.
    this.termsJobSchedule = this.scheduleRun(
      'TermsJobSchedule',
      'UCX terms: mails new versions to account administrators, records silent consent at the effective date',
      'runTermsJob',
      termsJobRate,
      this.silentSweepDeadLetterQueue,
    );
    // Dead-letters beside the sweep: the same queue, alarm and runbook (docs/operations.md).
    this.accountEraserSchedule = this.scheduleRun(
      'AccountEraserSchedule',
      'UCX retention: erases what closed accounts past their retention period held',
      'eraseClosedAccounts',
      accountEraserRate,
      this.silentSweepDeadLetterQueue,
    );
    // An hour a run fails is taken again by the next (compact-archive.ts); dead-letters beside the sweep.
    this.scheduleRun(
      'ArchiveCompactionSchedule',
      'UCX archive: rewrites each closed hour of raw telemetry into Parquet with Athena',
      'compactArchive',
      archiveCompactionRate,
      this.silentSweepDeadLetterQueue,
    );

    const authorizers: Record<RouteAuth, IHttpRouteAuthorizer> = {
      user: new HttpUserPoolAuthorizer('UserPoolAuthorizer', this.userPool, { userPoolClients: [this.userPoolClient] }),
      // The JWT authorizer's audience is fixed at deploy time; machine clients are created at run time
      // (docs/back-office.md). The route key is in the identity: a token cached as allowed on one
      // route must not be allowed on another its scopes do not name.
      'staff-or-machine': new HttpLambdaAuthorizer('StaffOrMachineAuthorizer', this.functions.authorize.function, {
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        identitySource: ['$request.header.Authorization', '$context.routeKey'],
        resultsCacheTtl: Duration.seconds(60),
      }),
      // Agent requests carry an RFC 9421 signature that only the handler can verify.
      agent: new HttpNoneAuthorizer(),
      public: new HttpNoneAuthorizer(),
    };
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    // RouteSettings is a map in CloudFormation: CDK passes its values as they are, so PascalCase.
    const routeSettings: Record<
      string,
      { ThrottlingRateLimit: number; ThrottlingBurstLimit: number; DetailedMetricsEnabled: boolean }
    > = {};
    for (const route of routes) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        // One permission per function for the whole API, not one per route: 500 resources per stack.
        integration = new HttpLambdaIntegration(`${pascal(route.fn)}Integration`, this.functions[route.fn].function, {
          scopePermissionToRoute: false,
        });
        integrations.set(route.fn, integration);
      }
      const httpRoute = new HttpRoute(this, `Route${pascal(`${route.method} ${route.path}`)}`, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration,
        authorizer: authorizers[route.auth],
      });
      if (route.auth === 'agent' || route.auth === 'public') {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            route.auth === 'agent'
              ? "agent routes are authenticated in the handler by the installation key's RFC 9421 signature, which API Gateway cannot verify"
              : 'public documents (JWKS, OpenAPI, telemetry catalogue) that any agent or vendor must read without credentials',
        });
      }
      // The stage's RouteSettings name routes by key: the routes must exist first.
      cfnStage.addResourceDependency(httpRoute.node.defaultChild as CfnResource);
      routeSettings[`${route.method} ${route.path}`] = {
        ThrottlingRateLimit: routeThrottle(route).rateLimit,
        ThrottlingBurstLimit: routeThrottle(route).burstLimit,
        DetailedMetricsEnabled: true,
      };
    }
    cfnStage.routeSettings = routeSettings;

    this.portal = new PortalSite(this, 'Portal', {
      assetDir: props.portalAssets ?? 'build',
      webAclArn: props.webAclArn,
      apiDomainName: `${this.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`,
      runtimeConfig: {
        region: this.region,
        regionKey,
        apiBaseUrl: this.stage.url,
        userPoolId: this.userPool.userPoolId,
        userPoolClientId: this.userPoolClient.userPoolClientId,
        portals: portalUrls(config),
      },
    });

    new CfnOutput(this, 'PortalUrl', {
      value: `https://${this.portal.distribution.distributionDomainName}`,
      description: "the portal, with this region's API on /v1/*",
    });
    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'base URL of the regional HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', {
      value: this.userPoolClient.userPoolClientId,
      description: 'the portal client',
    });
    new CfnOutput(this, 'PresenceUrl', {
      value: this.presenceStage.url,
      description: "the suite's Presence sessions (wss, stage v1)",
    });
  }

  /**
   * The WebSocket API of the suite's Presence sessions, its stage `v1` and the stage's access log.
   * Its routes come later (`connectPresence`): they need the functions, which need the stage.
   */
  private buildPresenceApi(
    config: AppConfig,
    regionKey: RegionKey,
  ): { api: WebSocketApi; stage: WebSocketStage; accessLogGroup: LogGroup } {
    const api = new WebSocketApi(this, 'PresenceApi', {
      description: `UCX ${config.stage} ${regionKey}: the suite's Presence sessions`,
      routeSelectionExpression: '$request.body.op',
    });
    const accessLogGroup = new LogGroup(this, 'PresenceAccessLogs', {
      retention: config.logRetentionDays as RetentionDays,
      // Generated name, this stage's only: kept, it would be orphaned by a replacement.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new WebSocketStage(this, 'PresenceStage', {
      webSocketApi: api,
      stageName: presenceStageName,
      autoDeploy: true,
      // Sessions ping every few minutes and reconnect every 2 h at most; a subscribe is one
      // message. 500 messages/s with a 1 000 burst lets a region's suites reconnect at once after
      // an outage, well inside the account's 10 000/s shared with the HTTP API.
      throttle: { rateLimit: 500, burstLimit: 1000 },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogGroup),
        // WebSocket context variables only; no frame content (it names users).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            eventType: '$context.eventType',
            connectionId: '$context.connectionId',
            status: '$context.status',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    return { api, stage, accessLogGroup };
  }

  /**
   * The presence WebSocket routes to their functions, and the fan-out queue's consumer
   * (`presenceQueueConsumer`). `$connect` has no authorizer: the upgrade request is signed like
   * every agent request, which only the function can verify.
   */
  private connectPresence(stateful: StatefulStack): void {
    for (const [routeKey, name] of Object.entries(presenceWebSocketRoutes)) {
      const route = this.presenceApi.addRoute(routeKey, {
        integration: new WebSocketLambdaIntegration(`${pascal(name)}Integration`, this.functions[name].function),
      });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          routeKey === '$connect'
            ? "the upgrade request carries the installation key's RFC 9421 signature, which API Gateway cannot verify: the function does"
            : 'only $connect takes an authorizer on a WebSocket API; later frames belong to the authorised connection',
      });
    }
    this.functions[presenceQueueConsumer.fn].consumeQueue(stateful.presenceFanOutQueue, {
      batchSize: presenceQueueConsumer.batchSize,
      maxBatchingWindow: Duration.seconds(presenceQueueConsumer.maxBatchingWindowSeconds),
    });
  }

  private buildFunctions(
    config: AppConfig,
    regionKey: RegionKey,
    stateful: StatefulStack,
  ): Record<FunctionName, HouseFunction> {
    const regionEndpoints = Object.fromEntries(Object.values(config.regions).map((r) => [r.key, r.endpoint])) as Record<
      RegionKey,
      string
    >;
    // An alias has one name in every region, so another region's key needs no cross-region reference.
    const signingKeyAliasArns = (region: string, keyIds: readonly string[]) =>
      keyIds.map((keyId) =>
        this.formatArn({
          service: 'kms',
          region,
          resource: 'alias',
          resourceName: signingKeyAliasName(config.stage, keyId).replace(/^alias\//, ''),
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      );
    const keyIds = signingKeyIds(config.signingKeys);
    const verifyKeyRefs = Object.values(config.regions).flatMap((r) => signingKeyAliasArns(r.region, keyIds));
    // The current key comes with SIGNING_KEY_REF; the others of this region sign the JWKS on request.
    const otherSigningKeyRefs = signingKeyAliasArns(
      config.regions[regionKey].region,
      keyIds.filter((keyId) => keyId !== config.signingKeys.current),
    );

    // The HTTP API's public routes Graph posts to and Microsoft redirects to; its stage URL ends
    // with `/`. The portal's URL only when configured: its CloudFront domain is not known here.
    const presenceUrls = {
      notificationUrl: `${this.stage.url}v1/presence/notifications`,
      lifecycleUrl: `${this.stage.url}v1/presence/lifecycle`,
      redirectUrl: `${this.stage.url}v1/presence/callback`,
      portalUrl: portalUrls(config)[regionKey],
    };

    const functions = {} as Record<FunctionName, HouseFunction>;
    for (const [name, spec] of Object.entries(functionSpecs) as [FunctionName, FunctionSpec][]) {
      const fn = new HouseFunction(this, pascal(name), {
        entry: spec.entry,
        memoryMb: spec.memoryMb,
        timeout: spec.timeoutSeconds === undefined ? undefined : Duration.seconds(spec.timeoutSeconds),
        metricsFlushSeconds: spec.metricsFlushSeconds,
        tracing: spec.tracing,
        regionKey,
        regionEndpoints,
        nextPollSeconds: config.nextPollSeconds,
        licenseTtlDays: config.licenseTtlDays,
        shortfallGraceDays: config.licensing.shortfallGraceDays,
        staleAfterDays: config.licensing.staleAfterDays,
        logRetentionDays: config.logRetentionDays,
      });
      const needs = new Set(spec.needs);
      if (needs.has('table:write')) fn.bindTable(stateful.table, 'write', tableItemScopeOf(spec));
      else if (needs.has('table:read')) fn.bindTable(stateful.table, 'read');
      // Each audit item it writes becomes a vendor event; a writer kept out of AUDIT# has none to publish.
      if (mayWriteAuditItems(spec)) fn.bindVendorEventBus(stateful.vendorEventBus);
      if (needs.has('signing-key')) fn.bindSigningKey(stateful.signingKey);
      if (needs.has('verify-keys')) fn.bindVerifyKeys(verifyKeyRefs);
      if (needs.has('jwks-signing-keys')) fn.bindJwksSigningKeys(otherSigningKeyRefs);
      if (needs.has('telemetry-stream:write')) fn.bindTelemetryStream(stateful.telemetryStream, 'write');
      if (needs.has('archive:write')) fn.bindArchiveBucket(stateful.archiveBucket, 'write');
      if (needs.has('archive:compact')) bindArchiveCompaction(fn, stateful, config);
      if (needs.has('support-table:write')) fn.bindSupportTable(stateful.supportTable, 'write');
      else if (needs.has('support-table:read')) fn.bindSupportTable(stateful.supportTable, 'read');
      if (needs.has('event-bus:put')) fn.bindEventBus(stateful.supportEventBus);
      const directory = (['invite', 'list', 'remove', 'link'] as const).filter((a) => needs.has(`user-directory:${a}`));
      if (directory.length > 0) fn.bindUserDirectory(this.userPool, directory);
      if (needs.has('presence-table:write')) fn.bindPresenceTable(stateful.presenceTable, 'write');
      else if (needs.has('presence-table:read')) fn.bindPresenceTable(stateful.presenceTable, 'read');
      if (needs.has('presence-token-key')) fn.bindPresenceTokenKey(stateful.presenceTokenKey);
      if (needs.has('presence-certificate')) fn.bindPresenceCertificate(stateful.presenceNotificationCertificate);
      if (needs.has('ms-identity')) fn.bindMicrosoftIdentity(stateful.presenceAppCredentials, config.presence);
      if (needs.has('presence-connections')) fn.bindPresenceConnections(this.presenceStage);
      if (needs.has('presence-queue:send')) fn.bindPresenceFanOutQueue(stateful.presenceFanOutQueue);
      if (needs.has('presence-urls')) fn.setPresenceUrls(presenceUrls);
      if (needs.has('machine-clients')) {
        this.userPool.grant(fn.function, 'cognito-idp:CreateUserPoolClient', 'cognito-idp:DeleteUserPoolClient');
        fn.function.addEnvironment('MACHINE_CLIENTS', `cognito:${this.userPool.userPoolId}`);
        fn.function.addEnvironment('TOKEN_URL', `${this.userPoolDomain.baseUrl()}/oauth2/token`);
      }
      if (needs.has('token-issuer')) {
        // Built, not the pool's ProviderURL attribute: the same string Cognito writes in `iss`.
        const issuer = `https://cognito-idp.${this.region}.${this.urlSuffix}/${this.userPool.userPoolId}`;
        fn.function.addEnvironment('TOKEN_ISSUER', issuer);
        fn.function.addEnvironment('TOKEN_JWKS_URL', `${issuer}/.well-known/jwks.json`);
        fn.function.addEnvironment('PORTAL_CLIENT_ID', this.userPoolClient.userPoolClientId);
      }
      if (needs.has('mail:send')) {
        this.mail.grantSend(fn.function);
        fn.function.addEnvironment('MAILER', `ses:${this.mail.configurationSetName}`);
        fn.function.addEnvironment('MAIL_FROM', this.mail.fromAddress);
      }
      // The stream consumers and the sweep must not be starved by the API's functions (docs/security.md).
      if (spec.reservedConcurrency !== undefined)
        (fn.function.node.defaultChild as CfnFunction).reservedConcurrentExecutions = spec.reservedConcurrency;
      functions[name] = fn;
    }
    return functions;
  }

  /** Event source mappings of `streamConsumers`, each on this region's stream. */
  private connectStreamConsumers(stateful: StatefulStack, shards: number): void {
    const streams: Record<ConsumedStream, IStream> = { telemetry: stateful.telemetryStream };
    for (const consumer of streamConsumers) {
      // One invocation per shard (parallelization factor 1): fewer reserved would leave shards unread.
      const reserved = (functionSpecs[consumer.fn] as FunctionSpec).reservedConcurrency;
      if (reserved !== undefined && reserved < shards)
        throw new Error(
          `ucx.telemetryShards ${shards} exceeds ${consumer.fn}'s reservedConcurrency ${reserved} (lib/routes.ts): raise it`,
        );
      this.functions[consumer.fn].consumeStream(streams[consumer.stream], {
        batchSize: consumer.batchSize,
        maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
        retryAttempts: consumer.retryAttempts,
        maxRecordAge: Duration.seconds(consumer.maxRecordAgeSeconds),
        bisectBatchOnError: consumer.bisect,
      });
    }
  }

  /**
   * EventBridge Scheduler invokes sweepSilent every 15 minutes, exactly on time (no flexible
   * window: the telemetry-silent thresholds are hours, but a steady cadence keeps the sweep's
   * load flat). The scheduler invokes asynchronously; what it cannot deliver after its retries
   * lands in an encrypted dead-letter queue. A run that errors is Lambda's to retry.
   */
  private scheduleSilentSweep(): { schedule: Schedule; deadLetterQueue: Queue } {
    const deadLetterQueue = new Queue(this, 'SilentSweepDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'this queue is itself the dead-letter queue of the sweep schedule',
    });
    const schedule = this.scheduleRun(
      'SilentSweepSchedule',
      'UCX missing-beat sweep: installations silent past the telemetry-silent threshold',
      'sweepSilent',
      silentSweepRate,
      deadLetterQueue,
    );
    return { schedule, deadLetterQueue };
  }

  /** The hourly stale-installation release (stale-release.ts), dead-lettering beside the sweep. */
  private scheduleStaleRelease(deadLetterQueue: Queue): Schedule {
    return this.scheduleRun(
      'StaleReleaseSchedule',
      'UCX stale-installation release: notices and releases on the accounts that opted in',
      'releaseStale',
      staleReleaseRate,
      deadLetterQueue,
    );
  }

  /**
   * Renews the Graph presence subscriptions every 10 minutes: each lasts 59 minutes and is renewed
   * once it has 25 left, so two runs can miss before it expires. Dead-letters beside the sweep.
   */
  private schedulePresenceRenewal(deadLetterQueue: Queue): Schedule {
    return this.scheduleRun(
      'PresenceRenewalSchedule',
      'UCX Presence: renews the Graph presence subscriptions before they expire',
      'renewPresenceSubscriptions',
      presenceRenewalRate,
      deadLetterQueue,
    );
  }

  /** A function run on a steady rate, on time (no flexible window), 3 delivery retries, then the dead-letter queue. */
  private scheduleRun(
    id: string,
    description: string,
    fn: FunctionName,
    rate: Duration,
    deadLetterQueue: Queue,
    input: Record<string, unknown> = {},
  ) {
    return new Schedule(this, id, {
      description,
      schedule: ScheduleExpression.rate(rate),
      timeWindow: TimeWindow.off(),
      target: new LambdaInvoke(this.functions[fn].function, {
        input: ScheduleTargetInput.fromObject(input),
        deadLetterQueue,
        // The next run is one period away: delivering a run later than that is pointless.
        maxEventAge: rate,
        retryAttempts: 3,
      }),
    });
  }

  private buildUserPool(): { userPool: UserPool; client: UserPoolClient } {
    const userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      // A changed address takes effect only once verified, so a typo cannot lock the user out.
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        accountId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        resellerId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: false,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Optional in the pool, required of staff: the Pre Token Generation trigger withholds the
      // back-office and support groups until TOTP is on (docs/identity.md). Customers may turn it on.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Plus: the V2_0 trigger (access-token claims) and threat protection, billed per monthly active user.
      featurePlan: FeaturePlan.PLUS,
      // Compromised credentials are blocked and risky sign-ins challenged, not only reported.
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      // Users are state even though the pool lives in the stateless stack: never lose them to a
      // replacement or a stack deletion.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG1',
      reason:
        'at least 12 characters with upper, lower and digits, no forced symbol: length over composition (NIST SP 800-63B)',
    });
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'TOTP is enforced for back office and support by the Pre Token Generation trigger (no staff group without it) and optional for customers and resellers; agents never use Cognito',
    });
    userGroups.forEach((groupName, precedence) => {
      userPool.addGroup(`${pascal(groupName)}Group`, { groupName, precedence });
    });

    const client = userPool.addClient('PortalClient', {
      generateSecret: false,
      // SRP only: the password never leaves the browser (the portal's SRP is native BigInt and
      // WebCrypto). No hosted UI, so no OAuth flows or callback URLs.
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // Cognito's minimum: removing a user or its group ends its access within 5 minutes (the
      // trigger runs again on each refresh); the portal refreshes before expiry, for a working day.
      idTokenValidity: Duration.minutes(5),
      accessTokenValidity: Duration.minutes(5),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes('accountId', 'resellerId'),
      // accountId and resellerId decide what a user may see: only the back office sets them
      // (admin API), never the user through this client, not even at self sign-up.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
    });
    return { userPool, client };
  }

  /**
   * What the vendor's machine clients need of the pool (docs/back-office.md): the resource server
   * `ucx` with its scopes, and a Cognito domain for `/oauth2/token`. The clients themselves are
   * created at run time by the back office (lambdas/adapters/cognito-machine-clients.ts).
   */
  private buildMachineClientSupport(
    config: AppConfig,
    regionKey: RegionKey,
  ): { resourceServer: UserPoolResourceServer; domain: UserPoolDomain } {
    const describe: Record<(typeof machineScopes)[number], string> = {
      'orders:write': 'deposit and preview orders',
      'accounts:read': 'find accounts and recent orders, read an account',
    };
    const resourceServer = this.userPool.addResourceServer('ApiResourceServer', {
      identifier: resourceServerId,
      userPoolResourceServerName: 'UCX back-office API',
      scopes: machineScopes.map(
        (scopeName) => new ResourceServerScope({ scopeName, scopeDescription: describe[scopeName] }),
      ),
    });
    const domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `${config.authDomainPrefix ?? `ucx-${config.stage}`}-${regionKey}` },
    });
    return { resourceServer, domain };
  }

  /**
   * Cognito's own e-mails (codes, invitations) through the region's SES identity and configuration
   * set, as the terms notices: bounces are suppressed and reported, and the quota is the account's,
   * not Cognito's default 50 a day. (The pool is built before the mail; hence the L1 property.)
   */
  private sendUserPoolMailThroughSes(): void {
    (this.userPool.node.defaultChild as CfnUserPool).emailConfiguration = {
      emailSendingAccount: 'DEVELOPER',
      from: this.mail.fromAddress,
      sourceArn: this.mail.identityArn,
      configurationSet: this.mail.configurationSetName,
    };
  }

  /**
   * The staff policy on every token: the V2_0 trigger, with AdminGetUser on the pool in a policy of
   * its own (the pool depends on the function; the function must not depend on the pool).
   */
  private connectPreTokenGeneration(): void {
    const trigger = this.functions.preTokenGeneration.function;
    this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, trigger, LambdaVersion.V2_0);
    new Policy(this, 'PreTokenGenerationReadsMfa', {
      roles: trigger.role ? [trigger.role] : [],
      statements: [
        new PolicyStatement({ actions: ['cognito-idp:AdminGetUser'], resources: [this.userPool.userPoolArn] }),
      ],
    });
  }
}
