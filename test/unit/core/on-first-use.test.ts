import { onFirstUse } from '#lambdas/core/on-first-use';

describe('onFirstUse', () => {
  it('builds nothing until asked, then once', () => {
    const build = jest.fn(() => ({ made: true }));
    const value = onFirstUse(build);
    expect(build).not.toHaveBeenCalled();
    const first = value();
    expect(value()).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('keeps a built undefined without building again', () => {
    const build = jest.fn(() => undefined);
    const value = onFirstUse(build);
    value();
    value();
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('builds again after a build that threw', () => {
    let calls = 0;
    const value = onFirstUse(() => {
      calls += 1;
      if (calls === 1) throw new Error('not yet');
      return calls;
    });
    expect(() => value()).toThrow('not yet');
    expect(value()).toBe(2);
  });
});
