/** Composition root of the back office's searches and order checks: the licensing table's indexes. */
import { licensingTableClient } from '../adapters/licensing-table-client';
import { DynamoDbAccountSearch } from '../adapters/dynamodb-account-search';
import { DynamoDbResellers } from '../adapters/dynamodb-resellers';
import type { BackOfficeSearchDeps } from '../core/licensing/back-office-search';
import type { OrderChecks } from '../core/licensing/deposit-order';
import { systemClock } from '../core/ports';
import { required } from './env';
import { userIndex } from './user-directory';

let search: DynamoDbAccountSearch | undefined;
const accountSearch = () => {
  search ??= new DynamoDbAccountSearch(licensingTableClient(), required('TABLE_NAME'), systemClock);
  return search;
};

/** The indexes the searches read, with the user index for administrators' e-mails. */
export function backOfficeSearchDeps(): BackOfficeSearchDeps {
  return { index: accountSearch(), admins: userIndex() };
}

let resellers: DynamoDbResellers | undefined;

/** What an order is checked against: the reseller records (approved, or already selling). */
export function orderChecks(): OrderChecks {
  resellers ??= new DynamoDbResellers(licensingTableClient(), required('TABLE_NAME'));
  return { resellers };
}
