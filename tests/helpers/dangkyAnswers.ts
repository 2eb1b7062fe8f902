/** Typed answers to every /dangky question (no diacritics where people skip them): one more model for Xã Cẩm Xuyên. */
export const DANGKY_ANSWERS = [
  'dan van kheo',
  'tập thể',
  'kinh tế',
  'Chợ phiên 0 đồng cho hộ nghèo',
  'Mỗi tháng một phiên chợ để hộ nghèo nhận nhu yếu phẩm miễn phí.',
  'bỏ qua',
  '1/3',
  '31/12/2026',
  'Lê Minh Châu, chuyên viên',
] as const;
