import type { Command } from './shared/command.js';

export const NOTHING_TO_RESUME =
  'Không có câu trả lời nào đang chờ để làm tiếp. Phần làm dở được giữ một ngày sau khi hết hạn; quá thời gian đó, bạn gõ lại lệnh để bắt đầu (gõ /huongdan để xem các lệnh).';

/** A draft in another chat is named, never brought into a group: its members would read the answers. */
function resumeElsewhere(title: string, where: string): string {
  return `Phần ${title} bạn đang làm dở ở ${where}. Bạn gõ /tieptuc ở đó, hoặc nhắn riêng cho bot /tieptuc để làm tiếp trong tin nhắn riêng.`;
}

/**
 * `/tieptuc`: takes up the asker's lapsed conversation at the step where it stopped, with every
 * answer, for a day after they were told it lapsed. Anyone may: it only ever reaches the asker's
 * own conversations, and each flow's save checks the role again.
 */
export const tieptuc: Command = {
  name: 'tieptuc',
  aliases: ['lamtiep', 'tiep'],
  access: 'anyone',
  summary: 'làm tiếp phần đang làm dở đã hết hạn (trong vòng một ngày)',
  async run(ctx) {
    const outcome = await ctx.conversations.resume(ctx);
    if (outcome.kind === 'nothing') await ctx.reply(NOTHING_TO_RESUME);
    else if (outcome.kind === 'elsewhere') await ctx.reply(resumeElsewhere(outcome.title, outcome.where));
  },
};
