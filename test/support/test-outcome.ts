/** Whether the running test has failed so far, as test/support/jest-environment.ts records it. */
export const FAILED = Symbol.for('ucx.currentTestFailed');

/** In an afterEach hook: whether the test it follows failed (Jest tells hooks nothing of it). */
export const currentTestFailed = (): boolean =>
  (globalThis as unknown as Record<symbol, boolean | undefined>)[FAILED] === true;
