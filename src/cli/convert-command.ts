// `bedrock-forge-operator convert [-n NAMESPACE] [-o FILE] [--runtime RUNTIME] FILE|DIR…`
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AGENT_RUNTIMES, type AgentRuntime } from '../api/agent.ts';
import { convert, render, type Note } from '../convert/convert.ts';
import { readInputs } from '../convert/read-inputs.ts';

export const convertUsage = `Usage: bedrock-forge-operator convert [-n NAMESPACE] [-o FILE] [--runtime RUNTIME] FILE|DIR...

Turns Bedrock Forge manifests (kind IAMRole, Agent, Lambda) into bedrockforge.io/v1alpha1
custom resources, ready for kubectl apply. Directories are searched for *.yml and *.yaml.

  -n, --namespace NS   namespace of the resources that name none (default: default)
  -o, --output FILE    write the resources to FILE instead of standard output
  --runtime RUNTIME    set spec.runtime of every Agent: classic (Amazon Bedrock Agents) or
                       agentcore (Amazon Bedrock AgentCore); without it an Agent runs where the
                       operator's --agent-runtime says. For each Agent on agentcore, what AgentCore
                       cannot carry out and what its action groups' Lambda functions receive
                       instead of Bedrock Agents' event are reported on standard error.

What changed is reported on standard error; what could not be converted too, and the exit code
is then 2.`;

export async function convertCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', short: 'n', default: 'default' },
      output: { type: 'string', short: 'o' },
      runtime: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0) {
    console.error(convertUsage);
    return values.help ? 0 : 1;
  }
  const runtime = values.runtime;
  if (runtime !== undefined && !(AGENT_RUNTIMES as readonly string[]).includes(runtime)) {
    console.error(`--runtime ${runtime}: expected ${AGENT_RUNTIMES.join(' or ')}\n\n${convertUsage}`);
    return 1;
  }
  const { documents, notes } = await convert(await readInputs(positionals), values.namespace, runtime ? { runtime: runtime as AgentRuntime } : {});
  const yaml = render(documents);
  if (values.output) await writeFile(values.output, yaml);
  else process.stdout.write(yaml);
  for (const note of notes) console.error(formatNote(note));
  const failed = notes.filter((n) => n.level === 'error').length;
  console.error(`converted ${documents.length} resources${failed ? `; ${failed} could not be converted (see above)` : ''}`);
  return failed > 0 ? 2 : 0;
}

function formatNote(note: Note): string {
  const label = { info: 'note', warning: 'warning', error: 'could not convert' }[note.level];
  return `${label}: ${note.where}: ${note.message}`;
}
