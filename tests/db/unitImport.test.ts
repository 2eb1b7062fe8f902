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
            // Hà Tĩnh under one of its own districts.
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
    const path = h.writeFile(
      'capnhat.csv',
      'ma,ten,loai,ma_cap_tren\n' +
        'CAMXUYEN,UBND huyện Cẩm Xuyên,huyện,HATINH\n' +
        'SNV,Sở Nội vụ,sở,HATINH\n' +
        'CX-CAMLAC,Xã Cẩm Lạc,xã,CAMXUYEN\n' +
        'CX-CAMBINH,Xã Cẩm Bình,xã,CX-CAMLAC\n',
    );

    const dry = await importUnitFile(h.db, path, CLI_ACTOR, h.clock.now(), { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, created: [{ shortCode: 'CX-CAMLAC', joinCode: null }] });
    expect(findUnit(h.db, 'CX-CAMLAC')).toBeUndefined();
    expect(findUnit(h.db, 'CAMXUYEN')!.name).toBe('Huyện Cẩm Xuyên');

    const report = await importUnitFile(h.db, path, CLI_ACTOR, h.clock.now());
    expect(report.unchanged.map((u) => u.shortCode)).toEqual(['SNV']);
    expect(report.updated.map((c) => [c.shortCode, c.before, c.after])).toEqual([
      [
        'CAMXUYEN',
        { name: 'Huyện Cẩm Xuyên', kind: 'district', parentCode: 'HATINH' },
        { name: 'UBND huyện Cẩm Xuyên', kind: 'district', parentCode: 'HATINH' },
      ],
      ['CX-CAMBINH', { name: 'Xã Cẩm Bình', kind: 'commune', parentCode: 'CAMXUYEN' }, { name: 'Xã Cẩm Bình', kind: 'commune', parentCode: 'CX-CAMLAC' }],
    ]);
    // The existing unit keeps its id and join code; the new one gets an unambiguous code.
    expect(findUnit(h.db, 'CAMXUYEN')).toMatchObject({ id: camxuyen.id, joinCode: camxuyen.joinCode, name: 'UBND huyện Cẩm Xuyên' });
    const camlac = findUnit(h.db, 'CX-CAMLAC')!;
    expect(camlac.joinCode).toMatch(new RegExp(`^[${JOIN_CODE_ALPHABET}]{6}$`));
    expect(camlac.joinCode).not.toMatch(/[01OI]/);
    expect(report.created[0]!.joinCode).toBe(camlac.joinCode);
    expect(parentCodeOf(h.db, 'CX-CAMBINH')).toBe('CX-CAMLAC');

    const audit = h.db.select().from(auditLog).where(eq(auditLog.action, 'unit.import')).all();
    expect(audit.map((a) => [a.entityId, a.actorLabel, a.actorPersonId])).toEqual([
      [String(camlac.id), 'cli', null],
      [String(camxuyen.id), 'cli', null],
      [String(findUnit(h.db, 'CX-CAMBINH')!.id), 'cli', null],
    ]);
    expect(audit[0]!.before).toBeNull();
    expect(audit[0]!.after).toEqual({ shortCode: 'CX-CAMLAC', name: 'Xã Cẩm Lạc', kind: 'commune', parentCode: 'CAMXUYEN' });

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
