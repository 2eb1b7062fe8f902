import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { importUnitFile } from '../../bot/cli/unitFile.js';
import { CLI_ACTOR } from '../../db/bootstrap.js';
import { auditLog, units } from '../../db/schema.js';
import { CODE_ALPHABET as JOIN_CODE_ALPHABET } from '../../db/codes.js';
import { joinCodesCsv } from '../../db/unitImport.js';
import { demoPerTest, emptyPerTest, type Harness } from '../helpers/harness.js';
import { findUnit, parentCodeOf } from '../helpers/rows.js';
import { importErrors } from '../helpers/unitFiles.js';

let h: Harness;
const demo = demoPerTest();
const empty = emptyPerTest();

describe('validation', () => {
  it('refuses parent cycles, within the file and through existing units', async () => {
    h = await demo();
    const before = h.db.select().from(units).all();
    expect(
      await importErrors(
        h,
        h.writeFile(
          'vong.csv',
          'ma,ten,loai,ma_cap_tren\n' +
            'A1,Đơn vị A,khác,B1\n' +
            'B1,Đơn vị B,khác,A1\n' +
            'SELF,Tự trỏ,khác,SELF\n' +
            // Hà Tĩnh under one of its own communes.
            'HATINH,Tỉnh Hà Tĩnh,tỉnh,CAMXUYEN\n',
        ),
      ),
    ).toEqual([
      'Dòng 2: cấp trên tạo thành vòng lặp: A1 → B1 → A1.',
      'Dòng 3: cấp trên tạo thành vòng lặp: B1 → A1 → B1.',
      'Dòng 4: cấp trên tạo thành vòng lặp: SELF → SELF.',
      'Dòng 5: cấp trên tạo thành vòng lặp: HATINH → CAMXUYEN → HATINH.',
    ]);
    expect(h.db.select().from(units).all()).toEqual(before);
  });
});

describe('upsert', () => {
  it('updates existing units by code, inserts new ones with a fresh join code, audits each change once', async () => {
    h = await demo();
    const camxuyen = findUnit(h.db, 'CAMXUYEN')!;
    // A rename, an unchanged row, a new unit, and an existing unit moved under the new one (a
    // parent that only exists further up in the same file).
    const path = h.writeFile(
      'capnhat.csv',
      'ma,ten,loai,ma_cap_tren\n' +
        'CAMXUYEN,UBND xã Cẩm Xuyên,xã,HATINH\n' +
        'SNV,Sở Nội vụ,sở,HATINH\n' +
        'MTTQ-DOANTHE,Khối các tổ chức chính trị - xã hội,đoàn thể,MTTQ\n' +
        'TINHDOAN,Tỉnh đoàn Hà Tĩnh,đoàn thể,MTTQ-DOANTHE\n',
    );

    const dry = await importUnitFile(h.db, path, CLI_ACTOR, h.clock.now(), { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, created: [{ shortCode: 'MTTQ-DOANTHE', joinCode: null }] });
    expect(findUnit(h.db, 'MTTQ-DOANTHE')).toBeUndefined();
    expect(findUnit(h.db, 'CAMXUYEN')!.name).toBe('Xã Cẩm Xuyên');

    const report = await importUnitFile(h.db, path, CLI_ACTOR, h.clock.now());
    expect(report.unchanged.map((u) => u.shortCode)).toEqual(['SNV']);
    expect(report.updated.map((c) => [c.shortCode, c.before, c.after])).toEqual([
      ['CAMXUYEN', { name: 'Xã Cẩm Xuyên', kind: 'commune', parentCode: 'HATINH' }, { name: 'UBND xã Cẩm Xuyên', kind: 'commune', parentCode: 'HATINH' }],
      [
        'TINHDOAN',
        { name: 'Tỉnh đoàn Hà Tĩnh', kind: 'organisation', parentCode: 'MTTQ' },
        { name: 'Tỉnh đoàn Hà Tĩnh', kind: 'organisation', parentCode: 'MTTQ-DOANTHE' },
      ],
    ]);
    // The existing unit keeps its id and join code; the new one gets an unambiguous code.
    expect(findUnit(h.db, 'CAMXUYEN')).toMatchObject({ id: camxuyen.id, joinCode: camxuyen.joinCode, name: 'UBND xã Cẩm Xuyên' });
    const block = findUnit(h.db, 'MTTQ-DOANTHE')!;
    expect(block.joinCode).toMatch(new RegExp(`^[${JOIN_CODE_ALPHABET}]{6}$`));
    expect(block.joinCode).not.toMatch(/[01OI]/);
    expect(report.created[0]!.joinCode).toBe(block.joinCode);
    expect(parentCodeOf(h.db, 'TINHDOAN')).toBe('MTTQ-DOANTHE');

    const audit = h.db.select().from(auditLog).where(eq(auditLog.action, 'unit.import')).all();
    expect(audit.map((a) => [a.entityId, a.actorLabel, a.actorPersonId])).toEqual([
      [String(block.id), 'cli', null],
      [String(camxuyen.id), 'cli', null],
      [String(findUnit(h.db, 'TINHDOAN')!.id), 'cli', null],
    ]);
    expect(audit[0]!.before).toBeNull();
    expect(audit[0]!.after).toEqual({ shortCode: 'MTTQ-DOANTHE', name: 'Khối các tổ chức chính trị - xã hội', kind: 'organisation', parentCode: 'MTTQ' });

    // The same file again changes nothing.
    const again = await importUnitFile(h.db, path, CLI_ACTOR, h.clock.now());
    expect([again.created.length, again.updated.length, again.unchanged.length]).toEqual([0, 0, 4]);
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'unit.import')).all()).toHaveLength(3);
  });

  it('exports every active unit’s join code, parents first, as CSV', async () => {
    h = await empty();
    const path = h.writeFile('donvi.csv', 'ma,ten,loai,ma_cap_tren\nXA1,"Xã Một, huyện Hai",xã,HUYEN\nHUYEN,Huyện Hai,huyện,\n');
    await importUnitFile(h.db, path, CLI_ACTOR, h.clock.now());
    const csv = joinCodesCsv(h.db);
    expect(csv).toBe(
      `ma,ten,ma_tham_gia\r\nHUYEN,Huyện Hai,${findUnit(h.db, 'HUYEN')!.joinCode}\r\nXA1,"Xã Một, huyện Hai",${findUnit(h.db, 'XA1')!.joinCode}\r\n`,
    );
  });
});
