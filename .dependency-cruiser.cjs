/**
 * The architecture's layer rules, one per boundary of the layout (README.md, "Where things live"),
 * checked by test/architecture/layers.test.ts and by `npx depcruise --config .dependency-cruiser.cjs .`.
 * Paths are relative to the repository root; npm packages resolve to node_modules/<name>/….
 */

/** Code that only makes sense inside a Lambda: the AWS SDK and its Smithy runtime, Powertools, middy. */
const lambdaRuntime = '(^|/)node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|@middy)/';
/** The Lambda event types (`import type … from 'aws-lambda'` resolves to @types/aws-lambda) and the npm package of that name. */
const lambdaEventTypes = '(^|/)node_modules/(@types/aws-lambda|aws-lambda)/';
const awsSdk = '(^|/)node_modules/(@aws-sdk|@smithy)/';
/** npm packages the domain may use: validation only. */
const coreAllowedPackages = '(^|/)node_modules/zod/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-no-lambda-runtime',
      comment:
        'lambdas/core is the domain: no AWS SDK, Powertools, middy or Lambda event types, so the local cloud and unit tests reuse it unchanged.',
      severity: 'error',
      from: { path: '^lambdas/core/' },
      to: { path: [lambdaRuntime, lambdaEventTypes] },
    },
    {
      name: 'core-imports-only-core',
      comment:
        'lambdas/core imports only itself, Node built-ins and zod: never adapters, handlers or shared (they pull in AWS); collaborators arrive as ports.',
      severity: 'error',
      from: { path: '^lambdas/core/' },
      to: {
        pathNot: ['^lambdas/core/', coreAllowedPackages, lambdaRuntime, lambdaEventTypes],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'handlers-no-adapters',
      comment:
        'a handler is parse → one use case → map: the adapters are chosen in lambdas/shared/*-deps.ts, the composition roots.',
      severity: 'error',
      from: { path: '^lambdas/handlers/' },
      to: { path: '^lambdas/adapters/' },
    },
    {
      name: 'handlers-no-aws-sdk',
      comment: 'no SDK import in a handler: AWS is reached through adapters, composed in lambdas/shared/*-deps.ts.',
      severity: 'error',
      from: { path: '^lambdas/handlers/' },
      to: { path: awsSdk },
    },
    {
      name: 'nothing-in-lambdas-imports-a-handler',
      comment: 'handlers are entry points: core, adapters and shared never import one.',
      severity: 'error',
      from: { path: '^lambdas/(core|adapters|shared)/' },
      to: { path: '^lambdas/handlers/' },
    },
    {
      name: 'lambdas-bundle-only-lambdas',
      comment:
        'a Lambda bundle holds lambdas/ code and npm packages, never the CDK app, the local cloud, the agent or the portal.',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: '^(bin|lib|local|agent|portal|bench|scripts)/' },
    },
    {
      name: 'infra-no-handlers-or-adapters',
      comment: 'the CDK app refers to handlers by entry path (lib/routes.ts), never by import.',
      severity: 'error',
      from: { path: '^(bin|lib)/' },
      to: { path: '^lambdas/(handlers|adapters)/' },
    },
    {
      name: 'infra-never-reaches-lambda-runtime',
      comment:
        'synth constructs no Powertools, SDK or middy object: the CDK app reads pure definitions (e.g. lambdas/shared/business-metrics-definitions.ts).',
      severity: 'error',
      from: { path: '^(bin|lib)/' },
      to: { path: lambdaRuntime, reachable: true },
    },
    {
      name: 'agent-portal-no-adapters',
      comment: 'the on-prem agent and the browser portal talk to the cloud over HTTP, never through its adapters.',
      severity: 'error',
      from: { path: '^(agent|portal)/' },
      to: { path: '^lambdas/adapters/' },
    },
    {
      name: 'agent-portal-never-reach-lambda-runtime',
      comment:
        'the agent ships on-prem and the portal to browsers: no path from them reaches the AWS SDK, Powertools or middy.',
      severity: 'error',
      from: { path: '^(agent|portal)/' },
      to: { path: lambdaRuntime, reachable: true },
    },
    {
      name: 'local-runs-bundles',
      comment:
        'the local cloud runs the synthesized bundles; it does not import the domain, the handlers or the adapters. ' +
        'One exception: the archive reader stands in for Athena and reads the stored archive row format ' +
        '(lambdas/core/telemetry/archive-row.ts) that the archiver writes, so reader and writer cannot drift. ' +
        "Two: the local identity provider issues tokens under the staff policy the cloud's Pre Token Generation " +
        'trigger applies (lambdas/core/accounts/staff-policy.ts), one rule for both. ' +
        "Three: the Athena stand-in builds the archive's tables and runs the views' SQL that Glue stores " +
        '(lambdas/core/telemetry/archive-tables.ts), so the local and the cloud views cannot drift.',
      severity: 'error',
      from: { path: '^local/' },
      to: {
        path: '^lambdas/(core|handlers|adapters)/',
        pathNot: '^lambdas/core/(telemetry/archive-row|telemetry/archive-tables|accounts/staff-policy)\\.ts$',
      },
    },
    {
      name: 'no-circular-in-lambdas',
      comment:
        'a cycle in lambdas/ makes module init order (Powertools singletons, env parsed at load) depend on who imports first.',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { circular: true },
    },
    {
      name: 'production-not-to-test',
      comment:
        'test code (test/, *.test.ts) is never imported by what ships or runs the local cloud; bench/ is a harness and may.',
      severity: 'error',
      from: { path: '^(bin|lib|lambdas|local|agent|portal|scripts)/' },
      to: { path: ['^test/', '\\.test\\.ts$'] },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'every import resolves (#aliases, extensionless TypeScript, package exports): an unresolved one would drop out of the graph and pass every rule unseen.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // npm packages are nodes of the graph (so rules can name them) but their insides are not cruised.
    doNotFollow: { path: '(^|/)node_modules/' },
    // dot folders (.git, .local, .ci) and build output; a dot then `/` or `.` is an unresolved relative import, kept
    exclude: { path: '^(\\.[^./]|cdk\\.out/|coverage/)' },
    // type-only imports count: a domain type that names an AWS type is still coupled to it
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      // package.json#imports (#lambdas/…) is enhanced-resolve's default importsFields; package exports need turning on
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
