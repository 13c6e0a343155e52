/**
 * One temporary directory per test run, removed at the end: cdktf's Testing helpers and many tests create
 * `os.tmpdir()` directories they never remove (about 250 per run left in /tmp before this). Workers and the
 * processes they start inherit TMPDIR.
 */
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async function globalSetup() {
  const root = mkdtempSync(join(tmpdir(), 'gi-jest-'));
  process.env.GI_JEST_TMPDIR = root;
  process.env.TMPDIR = root;
};
