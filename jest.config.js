/** Jest runs the TypeScript sources directly through ts-jest; `npm test` needs the addon built. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Tests share two cores with the native thread pool; more workers only add contention.
  maxWorkers: 2,
  testTimeout: 120000,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
};
