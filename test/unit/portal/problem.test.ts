import { describeProblem, fieldName, problemOf } from '#portal/src/problem';

describe('API errors in words', () => {
  it('names each field of a problem+json with the page’s label, else in words from its path', () => {
    const problem = problemOf(400, {
      type: 'validation',
      title: 'Request is not valid',
      status: 400,
      errors: [
        { path: 'lines.0.quantity', message: 'Too small: expected number to be >0' },
        { path: 'account.create.resellerId', message: 'lower-case letters, digits and dashes' },
      ],
    });

    const sentences = describeProblem(problem, { 'lines.0.quantity': 'Quantity' });

    expect(sentences).toEqual([
      'Quantity: Too small: expected number to be >0',
      'Account, create, reseller id: lower-case letters, digits and dashes',
    ]);
  });

  it('uses the detail when no field is named, and a sentence for a bare status', () => {
    const forbidden = problemOf(403, {
      status: 403,
      title: 'Forbidden',
      detail: 'This token does not grant access to that account.',
    });
    const gateway = problemOf(401, { message: 'Unauthorized' });

    expect(describeProblem(forbidden)).toEqual(['This token does not grant access to that account.']);
    expect(describeProblem(gateway)).toEqual(['Your sign-in has expired or is not valid. Please sign in again.']);
    expect(describeProblem(problemOf(502, 'not json'))).toEqual(['The service answered 502.']);
  });

  it('numbers array items from one', () => {
    expect(fieldName('lines.2.care.endsAt')).toBe('Lines 3, care, ends at');
    expect(fieldName('')).toBe('The request');
  });
});
