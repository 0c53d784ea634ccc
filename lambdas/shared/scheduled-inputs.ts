/**
 * Inputs of the scheduled runs that take one: lib/stacks/stateless-stack.ts schedules them and the
 * handlers parse them. A pure definition: the CDK app reads it without loading the SDK.
 */

/** releaseStale's run of the account-view repair alone (docs/licensing.md "The account view"). */
export const accountViewRepairInput = { job: 'account-views' } as const;
