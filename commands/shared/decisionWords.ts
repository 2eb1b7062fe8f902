import { MODEL_STATE_LABEL } from '../../core/labels.js';
import type { ModelEvent } from '../../db/models.js';

/**
 * How each decision on a model reads, wherever it is said: the refusal ("không thể duyệt"), the
 * confirmation asked first, the answer once it is done, the notice to the unit, and its undo.
 * Shared by the decision commands (commands/lifecycle.ts), their confirmation and /hoantac.
 */
export interface EventWords {
  /** "trả lại": "không thể trả lại", "lý do trả lại", "hoàn tác việc trả lại". */
  verb: string;
  /** What agreeing does, said in the confirmation: "mô hình chuyển sang “đang thực hiện”". */
  effect: string;
  /** The answer to the person who decided; `what` is "DVK-… “…” của <đơn vị>", `why` " Lý do: …" or "". */
  done(what: string, why: string, code: string): string;
  /** The notice to the unit's officers elsewhere. */
  notice(actor: string, what: string, why: string, code: string): string;
  /** What an undo leaves: "mô hình trở lại “chờ duyệt”". */
  undone(back: string): string;
}

const becomes = (state: keyof typeof MODEL_STATE_LABEL) => `mô hình chuyển sang “${MODEL_STATE_LABEL[state]}”`;
const backTo = (back: string) => `mô hình trở lại “${back}”`;

/** Where a returned model goes next; /suamohinh is the unit's way back. */
const resubmit = (code: string) => ` Đơn vị gõ /suamohinh ${code} để sửa và gửi lại.`;

export const WORDS: Record<ModelEvent, EventWords> = {
  approve: {
    verb: 'duyệt',
    effect: becomes('in_progress'),
    done: (what) => `✅ Đã duyệt ${what}.`,
    notice: (actor, what) => `${actor} đã duyệt mô hình ${what}; mô hình chuyển sang “đang thực hiện”.`,
    undone: backTo,
  },
  return: {
    verb: 'trả lại',
    effect: `${becomes('returned')}, đơn vị sửa và gửi lại`,
    // Not a success to celebrate: no ✅ on a model sent back.
    done: (what, why, code) => `↩️ ${what} được trả lại để bổ sung.${why}${resubmit(code)}`,
    notice: (actor, what, why, code) => `${actor} đã trả lại mô hình ${what} để bổ sung.${why}${resubmit(code)}`,
    undone: backTo,
  },
  propose: {
    verb: 'đề nghị công nhận',
    effect: `${becomes('proposed')} và chờ lãnh đạo xem xét`,
    done: (what) => `✅ Đã đề nghị công nhận ${what}; mô hình chờ lãnh đạo xem xét.`,
    notice: (actor, what) => `${actor} đã đề nghị công nhận mô hình ${what}.`,
    undone: backTo,
  },
  recognise: {
    verb: 'công nhận',
    effect: becomes('recognised'),
    done: (what) => `✅ Đã công nhận ${what}.`,
    notice: (actor, what) => `${actor} đã công nhận mô hình ${what}. Chúc mừng đơn vị!`,
    undone: backTo,
  },
  not_recognise: {
    verb: 'kết luận không công nhận',
    effect: becomes('not_recognised'),
    done: (what, why) => `${what} không được công nhận.${why}`,
    notice: (actor, what, why) => `${actor} đã quyết định không công nhận mô hình ${what}.${why}`,
    undone: backTo,
  },
  replicate: {
    verb: 'ghi nhận nhân rộng',
    effect: 'mô hình được ghi nhận là đã nhân rộng',
    done: (what) => `✅ Đã ghi nhận nhân rộng ${what}.`,
    notice: (actor, what) => `${actor} đã ghi nhận mô hình ${what} được nhân rộng.`,
    undone: () => 'mô hình không còn được ghi nhận nhân rộng',
  },
  commend: {
    verb: 'ghi nhận biểu dương, khen thưởng',
    effect: 'mô hình được ghi nhận là đã biểu dương, khen thưởng',
    done: (what) => `✅ Đã ghi nhận biểu dương, khen thưởng ${what}.`,
    notice: (actor, what) => `${actor} đã ghi nhận mô hình ${what} được biểu dương, khen thưởng.`,
    undone: () => 'mô hình không còn được ghi nhận biểu dương, khen thưởng',
  },
};

/** " Lý do: …", ending with a full stop so what follows reads as a new sentence. */
export function reasonSentence(reason: string | null): string {
  if (!reason) return '';
  return ` Lý do: ${/[.!?…]$/.test(reason) ? reason : `${reason}.`}`;
}
