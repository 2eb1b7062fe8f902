import { describe, expect, it } from 'vitest';
import { demoDatabasePerTest } from '../helpers/harness.js';
import { modelOf } from '../helpers/rows.js';
import { reportData, type ReportModel } from '../../db/reportData.js';
import { reportModelDetails } from '../../db/reportModelDetails.js';
import { modelStateHistory } from '../../db/schema.js';
import { quarterPeriod, yearPeriod } from '../../core/period.js';

/**
 * The demo's texts (db/seed/demo.ts): Đức Thọ's model returned on 12/02/2026, the Mặt trận's not
 * recognised on 12/10/2026, each with a reason; no other 2026 model was sent back.
 */

const NOW = new Date('2026-11-22T09:00:00+07:00');
const ALL = { rootUnitId: null, subtree: true } as const;
const database = demoDatabasePerTest(NOW);

const DUCTHO_REASON = 'Nội dung trùng với mô hình năm trước; đề nghị bổ sung mục tiêu và kết quả dự kiến cụ thể.';
const MTTQ_REASON = 'Chưa có số liệu đánh giá kết quả ở từng xã, phường; đề nghị tiếp tục thực hiện và đăng ký lại năm sau.';

describe('reportModelDetails', () => {
  it('reads every model’s content, expected result and latest return or refusal', () => {
    const { db } = database();
    const data = reportData(db, ALL, yearPeriod(2026), NOW);
    const details = reportModelDetails(db, data);
    expect([...details.keys()].sort((a, b) => a - b)).toEqual(data.models.map((m) => m.id).sort((a, b) => a - b));

    const ducTho = details.get(modelOf(db, 'DUCTHO').id)!;
    expect(ducTho.content).toBe('Vận động nhân dân đóng góp cây hoa, công lao động và kinh phí lắp đèn chiếu sáng các tuyến đường khu dân cư.');
    expect(ducTho.expectedResult).toBe('Mỗi thôn, tổ dân phố có ít nhất 500 m đường hoa và 1 km đường điện chiếu sáng.');
    expect(ducTho.verdict).toEqual({ state: 'returned', reason: DUCTHO_REASON, at: new Date('2026-02-12T10:00:00+07:00') });

    expect(details.get(modelOf(db, 'MTTQ').id)!.verdict).toEqual({
      state: 'not_recognised',
      reason: MTTQ_REASON,
      at: new Date('2026-10-12T15:10:00+07:00'),
    });
    const sentBack = [...details.values()].filter((d) => d.verdict !== null);
    expect(sentBack).toHaveLength(2);
  });

  it('knows only what had happened by the end of an earlier period', () => {
    const { db } = database();
    // Quarter I ended on 31/03: the return of 12/02 had happened, the refusal of 12/10 had not.
    const data = reportData(db, ALL, quarterPeriod(2026, 1), NOW);
    const details = reportModelDetails(db, data);
    expect(details.get(modelOf(db, 'DUCTHO').id)!.verdict?.reason).toBe(DUCTHO_REASON);
    expect(details.get(modelOf(db, 'MTTQ').id)!.verdict).toBeNull();
  });

  it('takes the latest of several, up to the very instant of a report on a running period', () => {
    const { db } = database();
    const ducTho = modelOf(db, 'DUCTHO');
    // Returned again, at the instant the report is asked for.
    db.insert(modelStateHistory)
      .values({ modelId: ducTho.id, fromState: 'pending', toState: 'returned', reason: 'Lần hai: thiếu kế hoạch chi tiết.', at: NOW.getTime() })
      .run();
    const data = reportData(db, ALL, yearPeriod(2026), NOW);
    expect(data.running).toBe(true);
    expect(reportModelDetails(db, data).get(ducTho.id)!.verdict?.reason).toBe('Lần hai: thiếu kế hoạch chi tiết.');
  });

  it('reads a national number of models in several queries, each model once', () => {
    const { db } = database();
    const data = reportData(db, ALL, yearPeriod(2026), NOW);
    // 12,000 ids that match nothing ahead of the real ones: the real ones fall in the third chunk.
    const absent = Array.from({ length: 12_000 }, (_, i) => ({ ...data.models[0]!, id: 1_000_000 + i }) as ReportModel);
    const details = reportModelDetails(db, { ...data, models: [...absent, ...data.models] });
    expect(details.size).toBe(data.models.length);
    expect(details.get(modelOf(db, 'MTTQ').id)!.verdict?.reason).toBe(MTTQ_REASON);
  });

  it('reads nothing for a report without models', () => {
    const { db } = database();
    const data = reportData(db, ALL, yearPeriod(2030), NOW);
    expect(data.models).toHaveLength(0);
    expect(reportModelDetails(db, data).size).toBe(0);
  });
});
