/** Import boundaries (README → Development): the arrows point one way. Checked by `npm run lint`. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds pure rules: no I/O modules, nothing outside domain/.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        pathNot: ['^src/domain/', '(^|/)node_modules/(re2js|yaml|zod)/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'lib-is-plumbing',
      comment: 'src/lib may be used by every layer, so it uses none of them (domain errors excepted).',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/(features|http|integrations|repositories|db|cli|app\\.ts)' },
    },
    {
      name: 'integrations-talk-out-only',
      comment: 'src/integrations talk to the outside: they import only lib/, domain/ and each other.',
      severity: 'error',
      from: { path: '^src/integrations/' },
      to: { path: '^src/(features|http|repositories|db|cli|app\\.ts|main\\.ts)' },
    },
    {
      name: 'http-maps-routes-only',
      comment: 'src/http maps routes to feature calls: no repositories, integrations or job internals.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(repositories|integrations|db/(?!database))' },
    },
    {
      name: 'features-through-index',
      comment: 'A feature (and http) uses another feature only through that feature\'s index.ts.',
      severity: 'error',
      from: { path: '^src/(features/([^/]+)|http)/' },
      to: { path: '^src/features/([^/]+)/(?!index\\.ts$)', pathNot: '^src/features/$2/' },
    },
    {
      name: 'features-not-http',
      severity: 'error',
      from: { path: '^src/features/' },
      to: { path: '^src/(http|cli|app\\.ts|main\\.ts)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
