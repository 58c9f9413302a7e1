/**
 * `npm run test:cluster`'s Jest run (scripts/cluster/run.ts starts the cluster first): the
 * integration suite against the external mTLS cluster, plus test/cluster/.
 *
 * Left out: test/integration/chaos-quick.test.ts. It runs the fault suite, which starts, kills
 * and restarts its own dev server (SQLite) to inject faults; it never touches the cluster, so
 * running it here would only repeat the normal run.
 */
const path = require('node:path');
const base = require('../../jest.config.js');

const rootDir = path.resolve(__dirname, '..', '..');
const integration = base.projects.find((p) => p.displayName === 'integration');

/** @type {import('jest').Config} */
module.exports = {
  rootDir,
  testTimeout: base.testTimeout,
  reporters: base.reporters,
  projects: [
    {
      ...integration,
      rootDir,
      displayName: 'cluster',
      testMatch: [...integration.testMatch, '<rootDir>/test/cluster/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/chaos-quick\\.test\\.ts$'],
    },
  ],
};
