import { describeProblem, errorSentence, fieldName, fieldSentence, problemOf } from '#portal/src/problem';

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
      'Quantity: Enter more than 0.',
      'Account, create, reseller id: Lower-case letters, digits and dashes.',
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
    expect(describeProblem(problemOf(502, 'not json'))).toEqual([
      'The service is not answering just now: try again in a minute.',
    ]);
  });

  it('numbers array items from one', () => {
    expect(fieldName('lines.2.care.endsAt')).toBe('Lines 3, care, ends at');
    expect(fieldName('')).toBe('The request');
  });
});

describe('every problem as a sentence saying what to do, keeping its field', () => {
  it.each([
    ['Too small: expected number to be >=1', 'Enter 1 or more.'],
    ['Too big: expected number to be <=365', 'Enter 365 or less.'],
    ['Too small: expected number to be >0', 'Enter more than 0.'],
    ['Invalid input: expected number, received null', 'Enter a number.'],
    ['Invalid input: expected int, received number', 'Enter a whole number.'],
    ['Invalid input: expected string, received undefined', 'Fill this in.'],
    ['Too small: expected string to have >=1 characters', 'Fill this in.'],
    ['Too big: expected string to have <=200 characters', 'Use at most 200 characters.'],
    ['Invalid option: expected one of "perpetual"|"subscription"', 'Choose one of perpetual, subscription.'],
    ['Invalid email address', 'Enter an e-mail address, like name@example.com.'],
    ['is after `to`', 'Choose a date on or before the “to” date.'],
    ['not an account id', 'This is not a valid account id.'],
    ['enter 0 or more', 'Enter 0 or more.'],
    ['only 3 of ivr are free', 'Only 3 of ivr are free.'],
  ])('%s → %s', (message, sentence) => {
    expect(fieldSentence(message)).toBe(sentence);
  });

  it('keeps the field a sentence belongs to, in the page’s words', () => {
    // Arrange
    const problem = problemOf(400, {
      status: 400,
      errors: [
        { path: 'expiresInDays', message: 'Too small: expected number to be >=1' },
        { path: 'query.from', message: 'is after `to`' },
      ],
    });

    // Act
    const sentences = describeProblem(problem, { expiresInDays: 'Valid for (days)', 'query.from': 'From' });

    // Assert
    expect(sentences).toEqual([
      'Valid for (days): Enter 1 or more.',
      'From: Choose a date on or before the “to” date.',
    ]);
  });

  it('says a bad id in the page’s address is the link’s, not a field typed', () => {
    const problem = problemOf(400, {
      status: 400,
      errors: [{ path: 'params.accountId', message: 'not an account id' }],
    });

    expect(describeProblem(problem)).toEqual(['The address’s account id is not valid: check the link.']);
  });

  it('says what to do on a 5xx, whatever detail came with it, and on no answer at all', () => {
    expect(describeProblem(problemOf(500, { status: 500, title: 'Internal Server Error' }))).toEqual([
      'Something went wrong on the service’s side: try again in a minute.',
    ]);
    expect(describeProblem(problemOf(503, { status: 503, detail: 'throttled' }))).toEqual([
      'The service is not answering just now: try again in a minute.',
    ]);
    expect(errorSentence(new TypeError('Failed to fetch'))).toBe(
      'The service can’t be reached: check your connection, then Retry.',
    );
    expect(errorSentence(new Error('Choose a file first.'))).toBe('Choose a file first.');
  });
});
