/**
 * Machine clients as app clients of the region's user pool: client credentials with a secret,
 * the `ucx/<scope>` scopes of the resource server, 15-minute access tokens (docs/back-office.md).
 */
import {
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  machineTokenMinutes,
  qualifiedScope,
  type MachineClientIssuer,
  type MachineScope,
} from '../core/accounts/machine-clients';

export class CognitoMachineClients implements MachineClientIssuer {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async create(name: string, scopes: readonly MachineScope[]): Promise<{ clientId: string; clientSecret: string }> {
    const { UserPoolClient: created } = await this.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: this.userPoolId,
        // Cognito's client names take a narrower alphabet than ours.
        ClientName: `m2m-${name.replace(/[^\w\s+=,.@-]/g, '-')}`.slice(0, 128),
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: scopes.map(qualifiedScope),
        AccessTokenValidity: machineTokenMinutes,
        TokenValidityUnits: { AccessToken: 'minutes' },
        EnableTokenRevocation: true,
        PreventUserExistenceErrors: 'ENABLED',
      }),
    );
    if (!created?.ClientId || !created.ClientSecret) throw new Error('CreateUserPoolClient answered no client');
    return { clientId: created.ClientId, clientSecret: created.ClientSecret };
  }

  async revoke(clientId: string): Promise<void> {
    try {
      await this.cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: this.userPoolId, ClientId: clientId }));
    } catch (error) {
      // Already deleted: revoking is idempotent.
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
  }
}
