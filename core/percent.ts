import { readNumberWords } from './numberWords.js';
import { fold, wordValue } from './text.js';

/**
 * A percentage as officials type it: "70", "70%", "70 %.", "70 phần trăm", "62,5%" (62: a share
 * is not rounded up to one not reached), "khoảng 60%", "~80%", "hơn 60%", "đạt 60%",
 * "hoàn thành 80%" (80% of the plan done), "50-60%", "một nửa", "bảy mươi phần trăm", "bay muoi".
 *
 * A range gives its upper end: the person says the work has reached somewhere up to it, and the
 * summary shows the figure before anything is saved, so a person who meant less corrects it there.
 * "Dưới 60%" is not read: any figure taken from it would be one the person did not say.
 */
export type PercentReading = { kind: 'percent'; percent: number } | { kind: 'over'; typed: number } | { kind: 'unread' };

/** Words before the figure that do not change it: "khoảng", "tầm", "gần", "đạt", "hoàn thành"… */
const LEADING =
  /^(?:khoang|tam|chung|do|gan|hon|tren|xap xi|uoc tinh|uoc|da dat|dat|da duoc|duoc|da lam duoc|lam duoc|da hoan thanh|hoan thanh|tien do|~|≈)\s*/;

const SHARES: Readonly<Record<string, number>> = {
  nua: 50,
  'mot nua': 50,
  'phan tu': 25,
  'mot phan tu': 25,
  'ba phan tu': 75,
};

export function readPercent(raw: string): PercentReading {
  let typed = fold(raw)
    .replace(/[.!?…]+$/, '')
    .trim();
  // "Không" alone is a "no" far more often than a zero in a chat; "0" and "không phần trăm" are read.
  if (typed === 'khong') return { kind: 'unread' };
  // A figure first: "tầm" folds to "tam", which is also "tám" (eight), so "tam muoi" is 80 and
  // only "tam 60" loses its first word.
  for (let tries = 0; tries < 4; tries++) {
    const n = figure(typed);
    if (n !== undefined) return n > 100 ? { kind: 'over', typed: n } : { kind: 'percent', percent: n };
    const shorter = typed.replace(LEADING, '');
    if (shorter === typed || shorter === '') break;
    typed = shorter;
  }
  return { kind: 'unread' };
}

function figure(typed: string): number | undefined {
  const bare = typed.replace(/\s*(?:%|phan tram)$/, '');
  const number = /^(\d{1,3})(?:[.,]\d+)?$/.exec(bare);
  if (number) return Number(number[1]);
  const range = /^(\d{1,3})\s*%?\s*(?:-|–|—|den|toi)\s*(\d{1,3})$/.exec(bare);
  if (range) {
    const [low, high] = [Number(range[1]), Number(range[2])];
    return low <= high ? high : undefined;
  }
  return wordValue(SHARES, bare) ?? readNumberWords(bare);
}
