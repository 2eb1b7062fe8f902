import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppDatabase, openDatabase } from '../../db/client.js';
import type { UnitKind } from '../../db/schema.js';
import { issuerChain, issuerOptions, issuerOptionsOf, type IssuerUnit } from '../../reports/issuer.js';
import { buildIssuerTree } from '../helpers/issuerTree.js';

/** Who issues a Word report and who is above it, in the state format and in the Party's. */

const NOW = new Date('2026-11-22T09:00:00+07:00');
const unit = (name: string, kind: UnitKind): IssuerUnit => ({ name, kind });
const HATINH = unit('Tỉnh Hà Tĩnh', 'province');

describe('a state body (Decree 30)', () => {
  it('puts "UBND TỈNH …" above a department of the province, and writes the province as the place', () => {
    expect(issuerOptions([unit('Sở Nội vụ', 'department'), HATINH])).toEqual({
      format: 'state',
      issuer: 'SỞ NỘI VỤ',
      parentIssuer: 'UBND TỈNH HÀ TĨNH',
      place: 'Hà Tĩnh',
      recipients: ['……'],
      signer: { title: 'GIÁM ĐỐC' },
    });
  });

  it('puts the same line above any non-administrative unit of the province', () => {
    expect(issuerOptions([unit('Công an tỉnh', 'armed_forces'), HATINH])).toMatchObject({ issuer: 'CÔNG AN TỈNH', parentIssuer: 'UBND TỈNH HÀ TĨNH' });
  });

  it('keeps an administrative unit as its people’s committee, with no line above it', () => {
    const province = issuerOptions([HATINH])!;
    expect(province).toMatchObject({ issuer: 'ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH', place: 'Hà Tĩnh', signer: { title: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH' } });
    expect(province.parentIssuer).toBeUndefined();
    const commune = issuerOptions([unit('Xã Cẩm Bình', 'commune'), HATINH])!;
    expect(commune).toMatchObject({ issuer: 'ỦY BAN NHÂN DÂN XÃ CẨM BÌNH', place: 'Cẩm Bình' });
    expect(commune.parentIssuer).toBeUndefined();
  });

  it('names the commune’s committee above a unit of the commune, and another parent by its own name', () => {
    expect(issuerOptions([unit('Trường Tiểu học Cẩm Bình', 'school'), unit('Xã Cẩm Bình', 'commune'), HATINH])).toMatchObject({
      issuer: 'TRƯỜNG TIỂU HỌC CẨM BÌNH',
      parentIssuer: 'UBND XÃ CẨM BÌNH',
      place: 'Cẩm Bình',
    });
    expect(issuerOptions([unit('Tỉnh đoàn Hà Tĩnh', 'organisation'), unit('Ủy ban MTTQ Việt Nam tỉnh Hà Tĩnh', 'organisation'), HATINH])).toMatchObject({
      issuer: 'TỈNH ĐOÀN HÀ TĨNH',
      parentIssuer: 'ỦY BAN MTTQ VIỆT NAM TỈNH HÀ TĨNH',
    });
  });

  it('puts no People’s Committee above the Mặt trận, which is not the committee’s, but writes its place', () => {
    const options = issuerOptions([unit('Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh', 'organisation'), HATINH])!;
    expect(options.parentIssuer).toBeUndefined();
    expect(options).toMatchObject({ issuer: 'ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM TỈNH HÀ TĨNH', place: 'Hà Tĩnh' });
  });

  it('has nothing above a top unit that is not administrative, and leaves its place blank', () => {
    const options = issuerOptions([unit('Tổng công ty thử', 'enterprise')])!;
    expect(options).toMatchObject({ issuer: 'TỔNG CÔNG TY THỬ', place: '……' });
    expect(options.parentIssuer).toBeUndefined();
  });
});

describe('a Party body (Quy định 399-QĐ/TW, Hướng dẫn 36-HD/VPTW)', () => {
  it('puts "TỈNH ỦY HÀ TĨNH" above a Ban of the Tỉnh ủy, without "Tỉnh ủy" on the Ban’s own line', () => {
    expect(issuerOptions([unit('Ban Tuyên giáo và Dân vận Tỉnh ủy', 'party'), HATINH])).toEqual({
      format: 'party',
      issuer: 'BAN TUYÊN GIÁO VÀ DÂN VẬN',
      parentIssuer: 'TỈNH ỦY HÀ TĨNH',
      place: 'Hà Tĩnh',
      recipients: ['……'],
      signer: { title: 'TRƯỞNG BAN' },
      issuerCode: 'BTGDVTU',
    });
  });

  it('knows a Ban under the Tỉnh ủy unit, and a city’s Thành ủy', () => {
    expect(issuerOptions([unit('Ban Tổ chức', 'party'), unit('Tỉnh ủy Hà Tĩnh', 'party'), HATINH])).toMatchObject({
      issuer: 'BAN TỔ CHỨC',
      parentIssuer: 'TỈNH ỦY HÀ TĨNH',
      issuerCode: 'BTCTU',
    });
    expect(issuerOptions([unit('Ban Tuyên giáo và Dân vận Thành ủy', 'party'), unit('Thành phố Hà Nội', 'province')])).toMatchObject({
      issuer: 'BAN TUYÊN GIÁO VÀ DÂN VẬN',
      parentIssuer: 'THÀNH ỦY HÀ NỘI',
      place: 'Hà Nội',
      issuerCode: 'BTGDVTU',
    });
    expect(issuerOptions([unit('Ủy ban Kiểm tra Tỉnh ủy', 'party'), HATINH])).toMatchObject({
      issuer: 'ỦY BAN KIỂM TRA',
      issuerCode: 'UBKTTU',
      signer: { title: 'T/M ỦY BAN KIỂM TRA\nCHỦ NHIỆM' },
    });
  });

  it('puts "ĐẢNG BỘ TỈNH HÀ TĨNH" above an Đảng ủy, which signs for its standing committee as "ĐU"', () => {
    expect(issuerOptions([unit('Đảng ủy xã Cẩm Bình', 'party'), HATINH])).toEqual({
      format: 'party',
      issuer: 'ĐẢNG ỦY XÃ CẨM BÌNH',
      parentIssuer: 'ĐẢNG BỘ TỈNH HÀ TĨNH',
      place: 'Cẩm Bình',
      recipients: ['……'],
      signer: { title: 'T/M BAN THƯỜNG VỤ\nBÍ THƯ' },
      issuerCode: 'ĐU',
    });
    // Also when the Đảng ủy sits under its commune in the tree.
    expect(issuerOptions([unit('Đảng ủy xã Cẩm Bình', 'party'), unit('Xã Cẩm Bình', 'commune'), HATINH])).toMatchObject({
      parentIssuer: 'ĐẢNG BỘ TỈNH HÀ TĨNH',
      place: 'Cẩm Bình',
    });
  });

  it('writes "UBND" out in the Đảng ủy of the provincial People’s Committee', () => {
    expect(issuerOptions([unit('Đảng ủy UBND tỉnh', 'party'), HATINH])).toMatchObject({
      issuer: 'ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH',
      parentIssuer: 'ĐẢNG BỘ TỈNH HÀ TĨNH',
      place: 'Hà Tĩnh',
      issuerCode: 'ĐU',
    });
  });

  it('puts the đảng bộ of the Đảng ủy above a cell of it, and nothing above the Tỉnh ủy', () => {
    expect(issuerOptions([unit('Chi bộ thôn 1', 'party'), unit('Đảng ủy xã Cẩm Bình', 'party'), HATINH])).toMatchObject({
      issuer: 'CHI BỘ THÔN 1',
      parentIssuer: 'ĐẢNG BỘ XÃ CẨM BÌNH',
      signer: { title: 'T/M CHI BỘ\nBÍ THƯ' },
    });
    const committee = issuerOptions([unit('Tỉnh ủy Hà Tĩnh', 'party'), HATINH])!;
    expect(committee).toMatchObject({ issuer: 'TỈNH ỦY HÀ TĨNH', issuerCode: 'TU', place: 'Hà Tĩnh' });
    expect(committee.parentIssuer).toBeUndefined();
  });
});

describe('issuerChain', () => {
  let app: AppDatabase;
  beforeEach(async () => {
    app = await openDatabase(':memory:');
  });
  afterEach(() => app.close());

  it('reads the unit and its ancestors, nearest first, from the unit tree', () => {
    const ids = buildIssuerTree(app.db, NOW);
    expect(issuerChain(app.db, ids.CBTHON1!)).toEqual([unit('Chi bộ thôn 1', 'party'), unit('Đảng ủy xã Cẩm Bình', 'party'), unit('Tỉnh Hà Tĩnh', 'province')]);
    expect(issuerOptionsOf(app.db, ids.SNV!)).toMatchObject({ issuer: 'SỞ NỘI VỤ', parentIssuer: 'UBND TỈNH HÀ TĨNH' });
    expect(issuerOptionsOf(app.db, 999_999)).toBeUndefined();
  });
});
