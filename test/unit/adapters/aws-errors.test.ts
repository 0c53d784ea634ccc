import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { transactionConditionFailed } from '#lambdas/adapters/aws-errors';

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('transactionConditionFailed', () => {
  it('is the condition of the item asked about (the first by default) in a cancelled transaction', () => {
    expect(transactionConditionFailed(cancelled('ConditionalCheckFailed', 'None'))).toBe(true);
    expect(transactionConditionFailed(cancelled('None', 'ConditionalCheckFailed'))).toBe(false);
    expect(transactionConditionFailed(cancelled('None', 'ConditionalCheckFailed'), 1)).toBe(true);
  });

  it('is not another reason, or another error carrying reasons', () => {
    expect(transactionConditionFailed(cancelled('TransactionConflict'))).toBe(false);
    const other = Object.assign(new Error('x'), { CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] });
    expect(transactionConditionFailed(other)).toBe(false);
    expect(transactionConditionFailed(undefined)).toBe(false);
  });
});
