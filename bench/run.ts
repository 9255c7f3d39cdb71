// `pnpm bench <name>`: runs one benchmark, which prints its figures. Add an entry per benchmark.
const benches: Readonly<Record<string, () => Promise<{ run: (args: readonly string[]) => Promise<void> }>>> = {
  engine: () => import('./engine.bench.js'),
  journey: () => import('./journey/journey.bench.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : benches[name];
if (load === undefined) {
  console.error(`usage: pnpm bench <${Object.keys(benches).join('|')}>`);
  process.exitCode = 2;
} else {
  await (await load()).run(args);
}
