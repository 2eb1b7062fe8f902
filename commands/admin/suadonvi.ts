import { textAnswer } from '../../core/answers.js';
import type { Command } from '../shared/command.js';
import { answered, defineFlow, FlowError, type StepState } from '../shared/flow.js';
import { ellipsize } from '../../core/text.js';
import { actorOf } from '../../db/people.js';
import { UNIT_KIND_LABEL } from '../../core/unitKinds.js';
import { DuplicateShortCode, UnitCycle, updateUnit } from '../../db/unitAdmin.js';
import { type UnitRow, unitById } from '../../db/units.js';
import { unitFromArgs, unitLabel } from '../shared/unitNames.js';
import { requireAdmin } from '../shared/requireAdmin.js';
import { cycleMessage, KIND_CHOICES, kindSchema, parentSchema, shortCodeSchema, unitDisplay, withJoinCode } from '../shared/unitSteps.js';

/** `/suadonvi <mã>`: an admin changes one thing of a unit (name, code, kind, parent, active, join code). */

type Change = 'name' | 'code' | 'kind' | 'parent' | 'active' | 'joinCode';

function editedUnit(s: StepState): UnitRow {
  const unit = unitById(s.db, Number(s.context.unitId));
  // Units are never deleted, so only a hand-edited database gets here.
  if (!unit) throw new FlowError('Không còn tìm thấy đơn vị này. Gõ /huy để thoát.');
  return unit;
}

function changeChoices(s: StepState): { value: Change; label: string }[] {
  const unit = editedUnit(s);
  return [
    { value: 'name', label: 'Tên' },
    { value: 'code', label: 'Mã' },
    { value: 'kind', label: 'Loại' },
    { value: 'parent', label: 'Đơn vị cấp trên' },
    { value: 'active', label: unit.active ? 'Ngừng hoạt động' : 'Hoạt động lại' },
    { value: 'joinCode', label: 'Cấp lại mã tham gia' },
  ];
}

function changeDisplay(value: Change, s: StepState): string {
  const unit = editedUnit(s);
  const what: Record<Change, string> = {
    name: 'đổi tên',
    code: 'đổi mã',
    kind: 'đổi loại',
    parent: 'chuyển sang đơn vị cấp trên khác',
    active: unit.active ? 'ngừng hoạt động' : 'cho hoạt động lại',
    joinCode: 'cấp lại mã tham gia (mã đang dùng sẽ không dùng được nữa)',
  };
  // An answer saved by another release may name a change this one does not know.
  return `${unitLabel(unit)} — ${what[value] ?? String(value)}`;
}

const asking = (change: Change) => (s: StepState<{ what?: Change }>) => s.answers.what === change;

export const suadonviFlow = defineFlow({ id: 'suadonvi', command: 'suadonvi', title: 'sửa đơn vị', version: 2 })
  .step('what', {
    label: 'Đơn vị',
    prompt: (s) => `Bạn muốn sửa gì của ${unitLabel(editedUnit(s))}?`,
    choices: changeChoices,
    display: changeDisplay,
  })
  .step('newName', {
    label: 'Tên mới',
    prompt: (s) => `Tên mới của đơn vị? (hiện tại: ${editedUnit(s).name})`,
    when: asking('name'),
    schema: (s) =>
      textAnswer({ min: 3, max: 200 }).refine((name) => name !== editedUnit(s).name, {
        message: 'Tên này trùng tên hiện tại; bạn gõ tên mới, hoặc gõ /huy.',
      }),
  })
  .step('newCode', {
    label: 'Mã mới',
    prompt: (s) => `Mã ngắn mới? (hiện tại: ${editedUnit(s).shortCode}; viết liền không dấu, 2 đến 30 ký tự: chữ, số, dấu -)`,
    when: asking('code'),
    schema: (s) => shortCodeSchema(s.db, { unit: editedUnit(s) }),
  })
  .step('newKind', {
    label: 'Loại mới',
    prompt: (s) => `Loại mới của đơn vị? (hiện tại: ${UNIT_KIND_LABEL[editedUnit(s).kind]})`,
    when: asking('kind'),
    choices: KIND_CHOICES,
    schema: (s) => {
      const unit = editedUnit(s);
      // "thành phố" is read under the unit's parent: under a province it is a former district-level city.
      const parent = unit.parentId === null ? undefined : unitById(s.db, unit.parentId);
      return kindSchema({ current: unit.kind, parentKind: parent?.kind ?? null });
    },
  })
  .step('newParent', {
    label: 'Đơn vị cấp trên mới',
    prompt: (s) => {
      const unit = editedUnit(s);
      const parent = unit.parentId === null ? undefined : unitById(s.db, unit.parentId);
      const now = parent ? `hiện thuộc ${unitLabel(parent)}` : 'hiện là đơn vị gốc';
      return `Chuyển ${unit.name} sang trực thuộc đơn vị nào? (${now}; gõ mã hoặc tên đơn vị)`;
    },
    when: asking('parent'),
    schema: (s) => parentSchema(s.db, editedUnit(s)),
    display: unitDisplay,
  })
  .save((s) => {
    requireAdmin(s.caller);
    const unit = editedUnit(s);
    const { what, newName, newCode, newKind, newParent } = s.answers;
    const change =
      what === 'name'
        ? { name: answered(newName, 'newName') }
        : what === 'code'
          ? { shortCode: answered(newCode, 'newCode') }
          : what === 'kind'
            ? { kind: answered(newKind, 'newKind') }
            : what === 'parent'
              ? { parentId: answered(newParent, 'newParent') }
              : what === 'active'
                ? { active: !unit.active }
                : { newJoinCode: true };
    let result: { before: UnitRow; after: UnitRow };
    try {
      result = updateUnit(s.db, unit.id, change, actorOf(s.caller), s.now);
    } catch (error) {
      if (error instanceof DuplicateShortCode) {
        throw new FlowError(`Mã ${error.existing.shortCode} vừa được dùng cho ${error.existing.name}; bạn chọn mã khác.`, 'newCode');
      }
      if (error instanceof UnitCycle) throw new FlowError(cycleMessage(error.unit, error.parent), 'newParent');
      throw error;
    }
    const { before, after } = result;
    switch (what) {
      case 'name':
        return `✅ Đã đổi tên: ${before.name} → ${after.name} (${after.shortCode}).`;
      case 'code':
        return `✅ Đã đổi mã của ${after.name}: ${before.shortCode} → ${after.shortCode}.`;
      case 'kind':
        return `✅ Đã đổi loại của ${unitLabel(after)}: ${UNIT_KIND_LABEL[before.kind]} → ${UNIT_KIND_LABEL[after.kind]}.`;
      case 'parent': {
        const parent = unitById(s.db, Number(after.parentId));
        return `✅ Đã chuyển ${unitLabel(after)} về dưới ${parent ? unitLabel(parent) : 'đơn vị mới'}, cùng các đơn vị trực thuộc.`;
      }
      case 'active':
        return after.active
          ? `✅ ${unitLabel(after)} hoạt động trở lại.`
          : `✅ ${unitLabel(after)} đã ngừng hoạt động: không còn được chọn khi đăng ký mô hình. Gõ /suadonvi ${after.shortCode} nếu cần cho hoạt động lại.`;
      default:
        return withJoinCode(s, `✅ Đã cấp lại mã tham gia của ${unitLabel(after)}; mã cũ không còn dùng được.`, after);
    }
  });

export const suadonvi: Command = {
  name: 'suadonvi',
  access: 'admin',
  summary: 'sửa một đơn vị: tên, mã, loại, cấp trên, ngừng hoạt động, cấp lại mã tham gia',
  usage: '/suadonvi <mã đơn vị>',
  async run(ctx) {
    if (ctx.args === '') {
      await ctx.reply('Bạn gõ /suadonvi kèm mã đơn vị, ví dụ /suadonvi CAMXUYEN. Gõ /donvi để xem các mã.');
      return;
    }
    const unit = unitFromArgs(ctx.db, ctx.args);
    if (!unit) {
      await ctx.reply(`Không có đơn vị mã “${ellipsize(ctx.args, 40)}”. Gõ /donvi để xem các mã.`);
      return;
    }
    await ctx.conversations.start('suadonvi', ctx, { unitId: unit.id });
  },
};
