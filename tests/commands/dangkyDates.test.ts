import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { models } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';

/** /dangky's dates as officials type them (issue 22 item 8), and an end date already past. */

let h: Harness;
const demo = demoPerTest({ now: '2026-06-20T09:00:00+07:00' });
const GROUP = { group: DEMO_GROUP };
const OFFICER = DEMO_PEOPLE.officer;

/** Answers /dangky up to the start date; returns the reply to the start date. */
async function upToStart(name: string, start: string): Promise<string> {
  await h.say(OFFICER, '/dangky', GROUP);
  for (const answer of ['dân vận khéo', 'tập thể', 'kinh tế', name, 'Mỗi tháng một phiên chợ cho bà con bán nông sản sạch.', 'bỏ qua']) {
    await h.say(OFFICER, answer, GROUP);
  }
  return h.text(OFFICER, start, GROUP);
}

const saved = (name: string) => h.db.select().from(models).where(eq(models.name, name)).get();

describe('/dangky dates', () => {
  it('reads "tháng 3/2026" as the 1st for a start and "cuối tháng 12" as the last day for an end', async () => {
    h = await demo();
    await upToStart('Chợ phiên nông sản sạch', 'tháng 3/2026');
    await h.say(OFFICER, 'cuối tháng 12', GROUP);
    await h.say(OFFICER, 'Võ Thị Thanh, Phó Chủ tịch', GROUP);
    await h.say(OFFICER, 'đồng ý', GROUP);
    expect(saved('Chợ phiên nông sản sạch')).toMatchObject({ startDate: '2026-03-01', endDate: '2026-12-31' });
  });

  it('takes "hôm nay" and a trailing dot', async () => {
    h = await demo();
    await upToStart('Một cửa thân thiện', 'hôm nay');
    await h.say(OFFICER, '15/12/2026.', GROUP);
    await h.say(OFFICER, 'Võ Thị Thanh, Phó Chủ tịch', GROUP);
    await h.say(OFFICER, 'đồng ý', GROUP);
    expect(saved('Một cửa thân thiện')).toMatchObject({ startDate: '2026-06-20', endDate: '2026-12-15' });
  });

  it('asks once about an end date already past, and takes another date typed instead', async () => {
    h = await demo();
    await upToStart('Tổ tự quản đường làng', '1/2/2026');
    const asked = await h.text(OFFICER, '31/5/2026', GROUP);
    expect(asked).toContain('Ngày kết thúc 31/05/2026 đã qua. Bạn gõ “đồng ý” nếu đúng như vậy, hoặc gõ lại ngày kết thúc.');
    expect(await h.text(OFFICER, 'chưa chắc', GROUP)).toContain('Bạn gõ “đồng ý” để giữ ngày kết thúc 31/05/2026, hoặc gõ lại ngày kết thúc');
    await h.say(OFFICER, '31/12/2026', GROUP);
    await h.say(OFFICER, 'Võ Thị Thanh, Phó Chủ tịch', GROUP);
    await h.say(OFFICER, 'đồng ý', GROUP);
    expect(saved('Tổ tự quản đường làng')).toMatchObject({ startDate: '2026-02-01', endDate: '2026-12-31' });
  });

  it('keeps a past end date the officer confirms', async () => {
    h = await demo();
    await upToStart('Ngày hội đại đoàn kết', '1/2/2026');
    await h.say(OFFICER, '31/5/2026', GROUP);
    await h.say(OFFICER, 'đồng ý', GROUP);
    await h.say(OFFICER, 'Võ Thị Thanh, Phó Chủ tịch', GROUP);
    await h.say(OFFICER, 'đồng ý', GROUP);
    expect(saved('Ngày hội đại đoàn kết')).toMatchObject({ endDate: '2026-05-31' });
  });

  it('still refuses an end before the start, which no report would ever count', async () => {
    h = await demo();
    await upToStart('Dòng sông xanh', '1/3/2026');
    expect(await h.text(OFFICER, '1/2/2026', GROUP)).toContain('Ngày kết thúc phải từ ngày bắt đầu (01/03/2026) trở đi.');
  });
});
