// One embedded database per run (test/global.ts), a fresh database per test file (test/helpers/forum.ts).
module.exports = {
  'node-option': ['import=tsx'],
  require: ['test/global.ts'],
  timeout: 20000,
  slow: 2000,
  exit: true,
};
