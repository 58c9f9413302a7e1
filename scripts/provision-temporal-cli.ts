/** `npm run provision`: finds or installs the Temporal CLI and prints where it came from. */
import { provisionTemporalCli, temporalCliVersion } from '../src/devstack/temporal-cli';

try {
  const cli = provisionTemporalCli((line) => console.log(line));
  console.log(`Temporal CLI: ${cli.path} (from ${cli.source}; ${temporalCliVersion(cli)})`);
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
}
