// Jest runs TypeScript through swc, compiled to CommonJS; the ESM-only packages
// (middy, jose, oauth4webapi) are transformed too, so no experimental VM modules are needed.
import { availableParallelism } from 'node:os';

const esmOnly = ['@middy', 'jose', 'oauth4webapi', 'proxy'].join('|');
const swc = [
  '@swc/jest',
  { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
];

export default {
  // Jest's node environment, telling hooks whether the test failed (test/support/jest-environment.ts)
  testEnvironment: '<rootDir>/test/support/jest-environment.ts',
  // Jest's default (cores − 1) runs one worker on CI's 2 cores; the suites spend much of their time
  // waiting on the local cloud's servers, so two workers there take 505 s where one took 677 s.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`node_modules/(?!(${esmOnly})/)`],
  // package.json#imports aliases (#lambdas/…, #test/support/…), resolved to the source files.
  moduleNameMapper: {
    '^#(lambdas|lib|local|agent|portal|bench|scripts|test)/(.*)$': '<rootDir>/$1/$2',
    // the traced variant; pass-through functions' bundles take xray-off.ts (package.json#imports)
    '^#xray$': '<rootDir>/lambdas/shared/xray.ts',
    // zod's locale files are exported as written: the CommonJS twin for CommonJS (handler-stack.ts)
    '^zod/v4/locales/(\\w+)\\.js$': '<rootDir>/node_modules/zod/v4/locales/$1.cjs',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  modulePathIgnorePatterns: ['<rootDir>/cdk.out', '<rootDir>/.local'],
  // One local cloud for the run, only when test/integration files are selected.
  globalSetup: '<rootDir>/test/integration/global-setup.ts',
  globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
};
