/**
 * Composition root of the machine-client routes and the authorizer: `MACHINE_CLIENTS` is
 * `cognito:<user pool id>` in the cloud, `local:<clients.json>` locally (local/cloud.ts); the
 * `CLIENT#` records are on the licensing table either way.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { licensingTableClient } from '../adapters/licensing-table-client';
import { CognitoMachineClients } from '../adapters/cognito-machine-clients';
import { DynamoDbMachineClients } from '../adapters/dynamodb-machine-clients';
import { LocalMachineClients } from '../adapters/local-machine-clients';
import type { MachineClientDeps, MachineClientIssuer, MachineClientStore } from '../core/accounts/machine-clients';
import { required } from './env';
import { licensingDeps } from './licensing-deps';
import { traced } from './powertools';

let records: MachineClientStore | undefined;
let issuer: MachineClientIssuer | undefined;

export function machineClientRecords(): MachineClientStore {
  records ??= new DynamoDbMachineClients(licensingTableClient(), required('TABLE_NAME'));
  return records;
}

function machineClientIssuer(): MachineClientIssuer {
  const ref = required('MACHINE_CLIENTS');
  const [kind, ...rest] = ref.split(':');
  const target = rest.join(':');
  if (kind === 'cognito') return new CognitoMachineClients(traced(new CognitoIdentityProviderClient({})), target);
  return new LocalMachineClients(target);
}

export function machineClientDeps(): MachineClientDeps {
  issuer ??= machineClientIssuer();
  const { clock, ids } = licensingDeps();
  return { issuer, clients: machineClientRecords(), clock, ids, tokenUrl: required('TOKEN_URL') };
}
