import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vietnameseCli } from '../../../bot/cli/vietnameseCli.js';

const REPO_ROOT = join(import.meta.dirname, '../../..');

/** The CLIs speak Vietnamese from --help to their errors (issue 22). */
describe('vietnameseCli', () => {
  const cli = () =>
    vietnameseCli('thu').description('Chương trình thử').argument('<định-dạng>', 'xlsx hoặc docx').option('--ky <kỳ>', 'kỳ báo cáo', 'năm nay').exitOverride();

  it('writes its help with Vietnamese headings and defaults', () => {
    const help = cli().helpInformation();
    expect(help).toContain('Cách dùng: thu [tùy chọn] <định-dạng>');
    expect(help).toContain('Tham số:');
    expect(help).toContain('Tùy chọn:');
    expect(help).toContain('(mặc định: "năm nay")');
    expect(help).toMatch(/-h, --help\s+xem hướng dẫn này/);
    expect(help).not.toMatch(/Usage:|Options:|Arguments:|display help for command|default:/);
  });

  it('says its errors in Vietnamese', () => {
    let said = '';
    const program = cli().configureOutput({ writeErr: (text) => void (said += text) });
    expect(() => program.parse(['node', 'thu', 'xlsx', '--khong-co'])).toThrow();
    expect(said).toContain("Lỗi: không có tùy chọn '--khong-co'");
    said = '';
    expect(() =>
      cli()
        .configureOutput({ writeErr: (text) => void (said += text) })
        .parse(['node', 'thu']),
    ).toThrow();
    expect(said).toContain("Lỗi: thiếu tham số 'định-dạng'");
  });

  it('is what `npm run report -- --help` prints', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bot/cli/report.ts'), '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Cách dùng: report \[tùy chọn\] <định-dạng>/);
    expect(run.stdout).toContain('Tùy chọn:');
    expect(run.stdout).not.toContain('Options:');
  });
});
