/** Tests run TypeScript through swc (no type-checking at test time: `npm run build` type-checks). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // Two workers on the 2-core machines this runs on: much of the suite waits on terraform, workerd and child
  // processes, so two workers cut the wall time by about 40 % (the default, cores - 1, is one worker).
  maxWorkers: 2,
  testTimeout: 60_000,
  slowTestThreshold: 30,
};
