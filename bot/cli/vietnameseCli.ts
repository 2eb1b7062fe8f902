import { Command as Cli, Help } from 'commander';

/**
 * A command-line program that speaks Vietnamese from `--help` to its errors, as the bot does: the
 * IT staffer of a commune office reads "Cách dùng", "Tùy chọn", not commander's English words.
 * Subcommands made with `.command()` inherit all of it (commander copies these settings).
 */
export function vietnameseCli(name: string): Cli {
  return new Cli(name)
    .helpOption('-h, --help', 'xem hướng dẫn này')
    .helpCommand('help [lệnh]', 'xem hướng dẫn của một lệnh')
    .configureHelp({ formatHelp: (cmd, helper) => translateHelp(Help.prototype.formatHelp.call(helper, cmd, helper)) })
    .configureOutput({ outputError: (text, write) => write(translateError(text)) });
}

const HEADINGS: readonly (readonly [RegExp, string])[] = [
  [/^Usage:/gm, 'Cách dùng:'],
  [/^Arguments:/gm, 'Tham số:'],
  [/^Options:/gm, 'Tùy chọn:'],
  [/^Commands:/gm, 'Lệnh:'],
  [/\(default: /g, '(mặc định: '],
  [/\(choices: /g, '(chọn một trong: '],
  [/\[options\]/g, '[tùy chọn]'],
  [/\[command\]/g, '[lệnh]'],
];

function translateHelp(text: string): string {
  return HEADINGS.reduce((out, [pattern, words]) => out.replace(pattern, words), text);
}

const ERRORS: readonly (readonly [RegExp, string])[] = [
  [/^error: unknown option '([^']*)'/m, "Lỗi: không có tùy chọn '$1'"],
  [/^error: unknown command '([^']*)'/m, "Lỗi: không có lệnh '$1'"],
  [/^error: missing required argument '([^']*)'/m, "Lỗi: thiếu tham số '$1'"],
  [/^error: option '([^']*)' argument missing/m, "Lỗi: tùy chọn '$1' cần có giá trị"],
  [/^error: too many arguments(?: for '([^']*)')?\. Expected (\d+) arguments? but got (\d+)\./m, 'Lỗi: thừa tham số (cần $2, có $3).'],
  [/^error: /m, 'Lỗi: '],
  [/\(Did you mean (.*)\?\)/g, '(Có phải bạn muốn gõ $1?)'],
];

function translateError(text: string): string {
  return ERRORS.reduce((out, [pattern, words]) => out.replace(pattern, words), text);
}
