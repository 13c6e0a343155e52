/** Removes the run's temporary directory (see global-setup.js). */
const { rmSync } = require('node:fs');

module.exports = async function globalTeardown() {
  const root = process.env.GI_JEST_TMPDIR;
  if (root) rmSync(root, { recursive: true, force: true, maxRetries: 3 });
};
