// npm run lint:deps: the import rules of the house, checked by dependency-cruiser.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import cycle in server/: a cycle between domains (songs <-> comments, realtime <-> comments) means neither can be ' +
        'loaded, tested or replaced alone. Depend one way; the other way goes through the bus or a dependency passed in.',
      from: { path: '^server/' },
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment:
        'No cycle between the folders of server/ either, even through different files: two folders that import each other ' +
        'cannot be understood apart. A domain that must call a higher one asks through an interface passed in ' +
        '(comments/moderation.ts, implemented by moderation/port.ts), never by importing it.',
      scope: 'folder',
      from: { path: '^server/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file or installed package fails at run time.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count too: a cycle through types is still two modules that cannot be understood apart.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
