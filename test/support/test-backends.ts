// Which store backends the tests run against: both, unless AGGREGATOR_TEST_BACKENDS (a comma list) narrows
// them. Apart from store-backends.ts so the global setup can ask without loading the test helpers.
const ALL_BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof ALL_BACKENDS)[number];

export function selectedBackends(env: NodeJS.ProcessEnv): readonly Backend[] {
  const wanted = env.AGGREGATOR_TEST_BACKENDS?.split(',').map((name) => name.trim());
  return wanted ? ALL_BACKENDS.filter((backend) => wanted.includes(backend)) : ALL_BACKENDS;
}
