/**
 * The directions of the code (CONTRIBUTING.md, "Data flows one way"), checked by `npm test`:
 * channel (bot/telegram, bot/zalo, bot/web) → conversation core (bot/core) → domain use cases
 * (api/<feature>/, knowledge/, ingest/) → database (api/db/).
 * SQL placement (never under bot/ or in a routes.ts) is a text rule, checked by
 * test/unit/boundaries.test.ts.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-channel',
      comment: 'The conversation core is channel-neutral: channels import the core, never the other way.',
      severity: 'error',
      from: { path: '^bot/core/' },
      to: { path: '^bot/(telegram|zalo|web)/' },
    },
    {
      name: 'domain-imports-no-bot',
      comment:
        'api/ never imports bot/, except the composition roots that start processes and wire every part ' +
        '(api/main.ts, api/outbox/worker-main.ts).',
      severity: 'error',
      from: { path: '^api/', pathNot: '^api/(main|outbox/worker-main)\\.ts$' },
      to: { path: '^bot/' },
    },
    {
      name: 'knowledge-imports-no-bot',
      comment: 'The assistant (knowledge/) and the document loader (ingest/) are domain code: no chat layer.',
      severity: 'error',
      from: { path: '^(knowledge|ingest)/' },
      to: { path: '^bot/' },
    },
    {
      name: 'knowledge-imports-no-ingest',
      comment:
        'ingest/ loads documents into the store (knowledge/); the store defines the types it keeps, ' +
        'so knowledge/ never imports ingest/ (else the two folders form a cycle).',
      severity: 'error',
      from: { path: '^knowledge/' },
      to: { path: '^ingest/' },
    },
    {
      name: 'telegraf-only-in-telegram',
      comment:
        'telegraf is the Telegram adapter’s library; the rest of the product talks to the core’s own types. ' +
        '(bench/broadcast.ts may use it: its baseline is a naive loop over the raw client.)',
      severity: 'error',
      from: { path: '^(api|bot|knowledge|ingest)/', pathNot: '^bot/telegram/' },
      to: { path: '(^|/)node_modules/telegraf/' },
    },
    {
      name: 'no-cycles',
      comment: 'Modules form layers; a cycle (type-only imports included) means two of them are one.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that does not resolve would hide a dependency from every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript compiler API; swc parses our TypeScript (type-only imports included).
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(data|test/data)/' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
