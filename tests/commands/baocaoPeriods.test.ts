import { describe, expect, it } from 'vitest';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';

/** Issue 22 item 10: the periods /baocao is asked for as reports name them. */

const GROUP = { group: DEMO_GROUP };
const LEADER = DEMO_PEOPLE.leader;

let h: Harness;
const demo = demoPerTest({ now: '2026-11-22T09:00:00+07:00' });

const titleOf = async (args: string) => (await h.text(LEADER, `/baocao ${args}`, GROUP)).split('\n')[0];

describe('/baocao periods', () => {
  it('reads quarters in Roman numerals and the halves of a year', async () => {
    h = await demo();
    expect(await titleOf('quý I')).toBe('📊 Báo cáo “Dân vận khéo” quý I năm 2026');
    expect(await titleOf('quý IV 2025')).toBe('📊 Báo cáo “Dân vận khéo” quý IV năm 2025');
    expect(await titleOf('6 tháng đầu năm')).toBe('📊 Báo cáo “Dân vận khéo” 6 tháng đầu năm 2026');
    expect(await titleOf('6 thang cuoi nam')).toBe('📊 Báo cáo “Dân vận khéo” 6 tháng cuối năm 2026');
  });

  it('counts only the updates of the half asked for', async () => {
    h = await demo();
    const first = await h.text(LEADER, '/baocao 6 tháng đầu năm', GROUP);
    const second = await h.text(LEADER, '/baocao 6 tháng cuối năm', GROUP);
    const year = await h.text(LEADER, '/baocao', GROUP);
    const count = (reply: string) => Number(/• Cập nhật tiến độ trong kỳ: (\d+)/.exec(reply)?.[1]);
    expect(count(first)).toBeGreaterThan(0);
    expect(count(second)).toBeGreaterThan(0);
    expect(count(first) + count(second)).toBe(count(year));
  });

  it('asks which half when “6 tháng” says neither', async () => {
    h = await demo();
    const reply = await h.text(LEADER, '/baocao 6 tháng', GROUP);
    expect(reply.split('\n')[0]).toBe('Xin ghi rõ 6 tháng đầu năm hay 6 tháng cuối năm, ví dụ: /baocao 6 tháng đầu năm');
  });
});
