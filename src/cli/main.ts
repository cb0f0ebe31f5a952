// Entry point of the `bedrock-forge-operator` command.
import { convertCommand } from './convert-command.ts';
import { runCommand } from './run-command.ts';

const usage = `Usage: bedrock-forge-operator <command> [options]

Commands:
  run                   run the operator (see run --help)
  convert FILE|DIR...   turn Bedrock Forge manifests into custom resources (see convert --help)`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  run: runCommand,
  convert: convertCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(usage);
    return name === '--help' || name === '-h' ? 0 : 1;
  }
  return command(rest);
}
