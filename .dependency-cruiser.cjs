/** The import flow of ../shared/DESIGN.md: routes -> services -> store/blobs/git; pure cores import none of them. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'services-not-into-http',
      comment: 'Services hold the rules; they never reach up into routes or HTTP plumbing.',
      severity: 'error',
      from: { path: '^src/(services|store|entities|ci-config|blobs|git)/' },
      to: { path: '^src/(routes|http|app\\.ts|server\\.ts|cli)/?' },
    },
    {
      name: 'store-below-services',
      comment: 'The store knows nothing of services.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/services/' },
    },
    {
      name: 'routes-not-into-store',
      comment: 'Routes call services; SQL lives in the store.',
      severity: 'error',
      from: { path: '^src/routes/' },
      to: { path: '^src/store/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'pure-cores-stay-pure',
      comment: 'ci-config, entities and views (the web pages) import none of services, store, blobs or git.',
      severity: 'error',
      from: { path: '^src/(ci-config|entities|views)/' },
      to: { path: '^src/(services|blobs|git|routes|http)/' },
    },
    {
      name: 'runner-is-standalone',
      comment: 'The built-in runner knows the server only through HTTP: nothing in src/runner/ imports another src/ folder or file.',
      severity: 'error',
      from: { path: '^src/runner/' },
      to: { path: '^src/(?!runner/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    moduleSystems: ['es6'],
  },
};
