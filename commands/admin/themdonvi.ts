import { textAnswer } from '../../core/answers.js';
import type { Command } from '../shared/command.js';
import { defineFlow, FlowError } from '../shared/flow.js';
import type { Db } from '../../db/client.js';
import { actorOf } from '../../db/people.js';
import { allUnits, createUnit, DuplicateShortCode } from '../../db/unitAdmin.js';
import { unitById } from '../../db/units.js';
import { unitLabel } from '../shared/unitNames.js';
import { requireAdmin } from '../shared/requireAdmin.js';
import { KIND_CHOICES, kindSchema, parentSchema, shortCodeSchema, suggestShortCode, unitDisplay, withJoinCode } from '../shared/unitSteps.js';

/** `/themdonvi`: an admin adds a unit to the tree, asked step by step. */

function hasUnits(db: Db): boolean {
  return allUnits(db).length > 0;
}

export const themdonviFlow = defineFlow({ id: 'themdonvi', command: 'themdonvi', title: 'thêm đơn vị', version: 2 })
  .step('name', { label: 'Tên đơn vị', prompt: 'Tên đầy đủ của đơn vị? (ví dụ: Xã Cẩm Lộc)', schema: textAnswer({ min: 3, max: 200 }) })
  .step('code', {
    label: 'Mã ngắn',
    prompt: (s) =>
      `Mã ngắn của đơn vị? Viết liền không dấu, 2 đến 30 ký tự (chữ, số, dấu -). Gợi ý: ${suggestShortCode(s.db, s.answers.name)} — bấm hoặc gõ 1 để dùng mã này.`,
    choices: (s) => {
      const suggestion = suggestShortCode(s.db, s.answers.name);
      return [{ value: suggestion, label: suggestion }];
    },
    schema: (s) => shortCodeSchema(s.db, { suggestion: suggestShortCode(s.db, s.answers.name) }),
  })
  .step('kind', {
    label: 'Loại đơn vị',
    prompt: 'Đơn vị thuộc loại nào?',
    choices: KIND_CHOICES,
    // The first unit is the root, with no parent: "thành phố" is then a province-level city.
    // Later units name their parent after the kind, so "thành phố" is asked as a question of level.
    schema: (s) => kindSchema(hasUnits(s.db) ? {} : { parentKind: null }),
  })
  .step('parent', {
    label: 'Đơn vị cấp trên',
    prompt: 'Đơn vị cấp trên là đơn vị nào? (gõ mã, ví dụ CAMXUYEN, hoặc tên đơn vị)',
    // The very first unit is the root of the tree; every later one hangs under an existing unit.
    when: (s) => hasUnits(s.db),
    schema: (s) => parentSchema(s.db),
    display: unitDisplay,
  })
  .save((s) => {
    requireAdmin(s.caller);
    const { name, code, kind } = s.answers;
    const parentId = s.answers.parent ?? null;
    if (parentId === null && hasUnits(s.db)) {
      throw new FlowError('Trong lúc bạn nhập đã có đơn vị khác được tạo, nên đơn vị mới cần có đơn vị cấp trên.', 'parent');
    }
    const parent = parentId === null ? undefined : unitById(s.db, parentId);
    if (parentId !== null && (!parent || !parent.active)) {
      throw new FlowError('Đơn vị cấp trên bạn chọn không còn hoạt động; bạn chọn đơn vị khác.', 'parent');
    }
    try {
      const unit = createUnit(s.db, { name, shortCode: code, kind, parentId }, actorOf(s.caller), s.now);
      const place = parent ? `thuộc ${unitLabel(parent)}` : 'là đơn vị gốc của cây';
      return withJoinCode(s, `✅ Đã thêm ${unitLabel(unit)}, ${place}.`, unit);
    } catch (error) {
      if (error instanceof DuplicateShortCode) {
        throw new FlowError(`Mã ${error.existing.shortCode} vừa được dùng cho ${error.existing.name}; bạn chọn mã khác.`, 'code');
      }
      throw error;
    }
  });

export const themdonvi: Command = {
  name: 'themdonvi',
  access: 'admin',
  summary: 'thêm một đơn vị vào cây đơn vị',
  async run(ctx) {
    await ctx.conversations.start('themdonvi', ctx);
  },
};
