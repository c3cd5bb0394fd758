// One embedded database per run, started by the first file that needs it (test/helpers/database.ts; unit tests never
// do), stopped by test/global.ts; a fresh database per test file (test/helpers/forum.ts).
module.exports = {
  'node-option': ['import=tsx'],
  require: ['test/global.ts'],
  timeout: 20000,
  slow: 2000,
  exit: true,
};
