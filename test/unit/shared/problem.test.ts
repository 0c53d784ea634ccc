import { ConflictError } from '#lambdas/core/errors';
import { problemResponse } from '#lambdas/shared/problem';

describe('problemResponse', () => {
  it('names the fields of a conflict that has them, as a validation error does', () => {
    const errors = [{ path: 'allocation.ivr', message: 'only 2 more are free: at most 5 for this installation' }];

    const response = problemResponse(new ConflictError('Not enough free capacity.', errors), '/v1/x');

    expect(response.statusCode).toBe(409);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    expect(JSON.parse(String(response.body))).toEqual({
      type: 'https://ucx-cloud.example/problems/conflict',
      title: 'Conflict',
      status: 409,
      detail: 'Not enough free capacity.',
      errors,
      instance: '/v1/x',
    });
  });

  it('leaves errors out of a conflict without fields', () => {
    const response = problemResponse(new ConflictError('Same id, other body.'));

    expect(JSON.parse(String(response.body))).not.toHaveProperty('errors');
  });
});
