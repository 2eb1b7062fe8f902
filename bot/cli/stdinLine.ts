import { createInterface } from 'node:readline';

/**
 * One line from standard input, for an operator's command that takes a secret there rather than
 * as an argument (an argument lands in the shell's history and in `ps`). At a terminal it asks
 * with `prompt` on stderr and, when `hidden`, shows nothing of what is typed or pasted; from a
 * pipe it takes the first line and leaves the rest unread. Undefined when the input ends first.
 */

/** The operator pressed Ctrl+C at the hidden prompt (raw mode turns it into a keystroke). */
export class InputCancelled extends Error {
  override readonly name = 'InputCancelled';
  constructor() {
    super('cancelled at the prompt');
  }
}

export interface LineOptions {
  prompt: string;
  hidden: boolean;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
}

export function readStdinLine(options: LineOptions): Promise<string | undefined> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  if (input.isTTY && options.hidden) return readHidden(input, output, options.prompt);
  return readFirstLine(input, input.isTTY ? output : undefined, options.prompt);
}

function readFirstLine(input: NodeJS.ReadStream, output: NodeJS.WriteStream | undefined, prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (output) output.write(prompt);
    const lines = createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(line);
    });
    lines.once('close', () => {
      // A pipe whose writer keeps it open would keep this process alive after the line: let go of
      // it (the rest is not for us). A terminal is only paused, to be left as it was found.
      if (input.isTTY) input.pause();
      else input.destroy();
      if (!answered) resolve(undefined);
    });
  });
}

function readHidden(input: NodeJS.ReadStream, output: NodeJS.WriteStream, prompt: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    output.write(prompt);
    let typed = '';
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.setEncoding('utf8');
    const finish = (result: () => void) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      result();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(typed));
        if (ch === '\u0003') return finish(() => reject(new InputCancelled()));
        if (ch === '\u0004') {
          if (typed === '') return finish(() => resolve(undefined));
          continue;
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}
