import { createInterface } from 'node:readline';
import { UserError } from '../util/errors.js';

async function readAllStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

async function prompt(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Echo nothing of what is typed: readline writes through _writeToOutput.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (s.startsWith(question)) process.stderr.write(question);
  };
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

/** A password from standard input (first line) or an interactive prompt; never from argv. */
export async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const first = (await readAllStdin()).split('\n')[0] ?? '';
    if (!first) throw new UserError('E_NO_PASSWORD', 'no password on standard input');
    return first.replace(/\r$/, '');
  }
  if (!process.stdin.isTTY) {
    throw new UserError(
      'E_NO_PASSWORD',
      'no terminal to ask for the password: use --password-stdin',
    );
  }
  const a = await prompt('New password: ');
  const b = await prompt('Repeat it: ');
  if (a !== b)
    throw new UserError('E_PASSWORD_MISMATCH', 'the two passwords differ; nothing changed');
  return a;
}
