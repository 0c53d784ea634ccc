/**
 * Jest's Node environment, recording whether the running test has failed so far
 * (test-outcome.ts): the e2e harness then keeps its screenshots and the cloud's last lines.
 */
import { TestEnvironment } from 'jest-environment-node';
import { FAILED } from './test-outcome';

export default class UcxTestEnvironment extends TestEnvironment {
  // jest-circus's events (Circus.Event): only their names are read
  async handleTestEvent(event: { readonly name: string }): Promise<void> {
    const state = this.global as unknown as Record<symbol, boolean>;
    if (event.name === 'test_start') state[FAILED] = false;
    if (event.name === 'test_fn_failure') state[FAILED] = true;
  }
}
