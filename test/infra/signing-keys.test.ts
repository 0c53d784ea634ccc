/**
 * The signing-key set through a rotation (docs/deploying.md, "Rotating the signing key"): one KMS
 * key per id in each region, the initial key keeping its logical id and alias, the JWKS listing
 * every key of both regions, licences signed with `current` and the JWKS signable by any key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { buildApp, parseAppConfig } from '#lib/app';
import type { AppConfig, SigningKeySet } from '#lib/config';
import { addNagChecks, wildcardResourceReason } from '#lib/nag';
import type { StatelessStack } from '#lib/stacks/stateless-stack';
import type { FunctionName } from '#lib/routes';
import { buildTestApp, minimalUcxContext, testAccount, testApp, testConfig } from './test-app';

type CfnJson = ReturnType<Template['toJSON']>;

const initialKeyLogicalId = 'LicenceSigningKey6C3BDB59';

function synth(signingKeys: SigningKeySet) {
  const config: AppConfig = { ...testConfig, signingKeys };
  const { stacks } = buildTestApp(config);
  return {
    stacks,
    stateful: { eu: Template.fromStack(stacks.eu.stateful), us: Template.fromStack(stacks.us.stateful) },
  };
}

const signingKeysOf = (template: Template) =>
  template.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } }) as Record<string, CfnJson>;
const aliasesOf = (template: Template) =>
  Object.values(template.findResources('AWS::KMS::Alias') as Record<string, CfnJson>).map(
    (a) => a.Properties.AliasName as string,
  );
function variablesOf(stack: StatelessStack, name: FunctionName): Record<string, unknown> {
  const logicalId = stack.getLogicalId(stack.functions[name].function.node.defaultChild as CfnFunction);
  return Template.fromStack(stack).toJSON().Resources[logicalId].Properties.Environment.Variables;
}
const alias = (region: string, name: string) => `arn:aws:kms:${region}:${testAccount}:alias/${name}`;

describe('the signing-key set', () => {
  it('adds a key per new id in each region; the initial key keeps its logical id and alias', () => {
    // Act
    const { stateful } = synth({ current: 'initial', next: 'k2026b', retiring: [] });

    // Assert
    for (const template of [stateful.eu, stateful.us]) {
      const keys = signingKeysOf(template);
      expect(Object.keys(keys)).toHaveLength(2);
      expect(Object.keys(keys)).toContain(initialKeyLogicalId);
      expect(Object.values(keys).every((k) => k.DeletionPolicy === 'Retain')).toBe(true);
      expect(aliasesOf(template)).toEqual(
        expect.arrayContaining(['alias/ucx-test-licence-signing', 'alias/ucx-test-licence-signing-k2026b']),
      );
    }
  });

  it('publishes next: the JWKS lists every key of both regions, licences are still signed by current', () => {
    // Act
    const { stacks } = synth({ current: 'initial', next: 'k2026b', retiring: [] });

    // Assert
    const jwks = variablesOf(stacks.eu.stateless, 'jwks');
    expect(JSON.parse(jwks.VERIFY_KEY_REFS as string)).toEqual([
      alias('eu-central-1', 'ucx-test-licence-signing'),
      alias('eu-central-1', 'ucx-test-licence-signing-k2026b'),
      alias('us-east-1', 'ucx-test-licence-signing'),
      alias('us-east-1', 'ucx-test-licence-signing-k2026b'),
    ]);
    expect(JSON.stringify(variablesOf(stacks.eu.stateless, 'getLicense').SIGNING_KEY_REF)).toContain(
      initialKeyLogicalId,
    );
    // The JWKS is signable by the region's own other keys, never by the other region's.
    expect(JSON.parse(variablesOf(stacks.us.stateless, 'signedJwks').SIGNING_KEY_REFS as string)).toEqual([
      alias('us-east-1', 'ucx-test-licence-signing-k2026b'),
    ]);
  });

  it('promotes next: licences are signed by the new key, the old one stays published and exported', () => {
    // Act
    const { stacks, stateful } = synth({ current: 'k2026b', retiring: ['initial'] });

    // Assert
    const newKeyLogicalId = Object.keys(signingKeysOf(stateful.eu)).find((id) => id !== initialKeyLogicalId)!;
    const signingKeyRef = JSON.stringify(variablesOf(stacks.eu.stateless, 'getLicense').SIGNING_KEY_REF);
    expect(signingKeyRef).toContain(newKeyLogicalId);
    expect(signingKeyRef).not.toContain(initialKeyLogicalId);
    expect(JSON.parse(variablesOf(stacks.eu.stateless, 'jwks').VERIFY_KEY_REFS as string)).toEqual([
      alias('eu-central-1', 'ucx-test-licence-signing-k2026b'),
      alias('eu-central-1', 'ucx-test-licence-signing'),
      alias('us-east-1', 'ucx-test-licence-signing-k2026b'),
      alias('us-east-1', 'ucx-test-licence-signing'),
    ]);
    // Still exported though nothing imports it: the deployed stateless stack does until it is updated.
    const exported = JSON.stringify(stateful.eu.toJSON().Outputs);
    expect(exported).toContain(`"Fn::GetAtt":["${initialKeyLogicalId}","Arn"]`);
    expect(exported).toContain(`"Fn::GetAtt":["${newKeyLogicalId}","Arn"]`);
  });

  it('drops retiring: the key leaves the templates and the JWKS', () => {
    // Act
    const { stacks, stateful } = synth({ current: 'k2026b', retiring: [] });

    // Assert
    expect(Object.keys(signingKeysOf(stateful.eu))).toHaveLength(1);
    expect(Object.keys(signingKeysOf(stateful.eu))).not.toContain(initialKeyLogicalId);
    expect(aliasesOf(stateful.us)).not.toContain('alias/ucx-test-licence-signing');
    expect(JSON.parse(variablesOf(stacks.us.stateless, 'jwks').VERIFY_KEY_REFS as string)).toEqual([
      alias('eu-central-1', 'ucx-test-licence-signing-k2026b'),
      alias('us-east-1', 'ucx-test-licence-signing-k2026b'),
    ]);
    expect(variablesOf(stacks.us.stateless, 'signedJwks').SIGNING_KEY_REFS).toBe('[]');
  });
});

describe('cdk-nag with a key set in rotation', () => {
  it('accepts Sign and GetPublicKey on the keys only when every statement is narrowed by alias', () => {
    // Arrange
    const keys = 'arn:aws:kms:eu-central-1:1:key/*';
    const byAlias = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/x'] } };

    // Assert
    expect(
      wildcardResourceReason(`Resource::${keys}`, [
        { Effect: 'Allow', Action: 'kms:GetPublicKey', Resource: keys, Condition: byAlias },
        { Effect: 'Allow', Action: ['kms:Sign', 'kms:GetPublicKey'], Resource: keys, Condition: byAlias },
      ]),
    ).toMatch(/alias/);
    expect(
      wildcardResourceReason(`Resource::${keys}`, [
        { Effect: 'Allow', Action: 'kms:GetPublicKey', Resource: keys, Condition: byAlias },
        { Effect: 'Allow', Action: 'kms:Sign', Resource: keys },
      ]),
    ).toBeUndefined();
  });

  it('synthesizes the stack set with next and retiring keys without an unacknowledged finding', () => {
    // Arrange
    const outdir = mkdtempSync(join(tmpdir(), 'ucx-nag-keys-'));
    const app = testApp({ outdir, builtinCloudFormationValidation: true });
    buildApp(app, { ...testConfig, signingKeys: { current: 'k2026b', next: 'k2026c', retiring: ['initial'] } });
    addNagChecks(app);

    // Act, Assert: synth throws on an unacknowledged error
    try {
      expect(() => app.synth()).not.toThrow();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('parseAppConfig signingKeys', () => {
  const context = (signingKeys?: unknown) => minimalUcxContext(signingKeys === undefined ? {} : { signingKeys });

  it('defaults to the initial key alone', () => {
    expect(parseAppConfig(context()).signingKeys).toEqual({ current: 'initial', retiring: [] });
  });

  it('refuses an id in two slots and an id that cannot name an alias', () => {
    expect(() => parseAppConfig(context({ current: 'k1', next: 'k1' }))).toThrow(
      /ucx\.signingKeys: a key id may hold one slot only/,
    );
    expect(() => parseAppConfig(context({ current: 'K 1' }))).toThrow(/ucx\.signingKeys\.current: lower-case/);
  });
});
