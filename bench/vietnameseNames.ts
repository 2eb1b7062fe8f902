import { fold } from '../core/text.js';

/**
 * The words the benchmarks' worlds are named with: two-syllable place names ("Tân Hòa", as communes
 * and districts are called), people's family, middle and given names, and what models are called.
 * One set, so the national dataset, the update-pipeline province and the Zalo soak's group all
 * read alike.
 */

/** First syllables of place names. */
export const PLACE_FIRST: readonly string[] = [
  'Tân',
  'Phú',
  'An',
  'Bình',
  'Hòa',
  'Thạnh',
  'Long',
  'Phước',
  'Thuận',
  'Hưng',
  'Vĩnh',
  'Xuân',
  'Cẩm',
  'Đức',
  'Thạch',
  'Sơn',
  'Quảng',
  'Hương',
  'Kỳ',
  'Nghĩa',
  'Thanh',
  'Minh',
  'Hồng',
  'Trung',
  'Yên',
  'Lạc',
  'Đông',
  'Tây',
  'Mỹ',
  'Hải',
];

/** Second syllables of place names. */
export const PLACE_SECOND: readonly string[] = [
  'Hòa',
  'Lộc',
  'Thành',
  'Phong',
  'Lợi',
  'Tiến',
  'Hà',
  'Sơn',
  'Lâm',
  'Thủy',
  'Điền',
  'Mỹ',
  'Khánh',
  'Định',
  'Hiệp',
  'Thịnh',
  'Quang',
  'Tường',
  'Bình',
  'An',
  'Phú',
  'Long',
  'Vinh',
  'Nam',
  'Bắc',
  'Trạch',
  'Xuyên',
  'Châu',
  'Hải',
  'Liên',
];

export const FAMILY_NAMES: readonly string[] = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
];

export const MIDDLE_NAMES: readonly string[] = ['Văn', 'Thị', 'Minh', 'Quốc', 'Thanh', 'Ngọc', 'Đức', 'Thu', 'Hữu', 'Kim'];

export const GIVEN_NAMES: readonly string[] = [
  'An',
  'Bình',
  'Châu',
  'Dung',
  'Đức',
  'Giang',
  'Hà',
  'Hải',
  'Hằng',
  'Hiếu',
  'Hoa',
  'Hùng',
  'Huy',
  'Khánh',
  'Lan',
  'Linh',
  'Long',
  'Mai',
  'Nam',
  'Nga',
  'Phúc',
  'Quân',
  'Sơn',
  'Tâm',
  'Thảo',
  'Thắng',
  'Trang',
  'Tuấn',
  'Việt',
  'Yến',
];

/** How model names begin: "Dân vận khéo trong …". */
export const MODEL_NAME_LEADS: readonly string[] = [
  'Dân vận khéo trong',
  'Vận động nhân dân',
  'Chung tay',
  'Phát huy vai trò của Nhân dân trong',
  'Nâng cao hiệu quả',
  'Đổi mới phương thức',
];
/** What models are about: a name is a lead and a topic. */
export const MODEL_TOPICS: readonly string[] = [
  'xây dựng khu dân cư nông thôn mới kiểu mẫu',
  'hiến đất mở rộng đường giao thông nông thôn',
  'phân loại rác thải tại nguồn',
  'cải cách thủ tục hành chính',
  'giải quyết kiến nghị của nhân dân tại cơ sở',
  'giữ gìn an ninh trật tự thôn xóm',
  'hỗ trợ học sinh có hoàn cảnh khó khăn',
  'phát triển kinh tế hộ gia đình',
  'xây dựng tuyến đường hoa, đường điện chiếu sáng',
  'chuyển đổi số trong phục vụ người dân',
  'chăm sóc sức khỏe người cao tuổi',
  'bảo vệ rừng và phòng chống cháy rừng',
  'xóa nhà tạm, nhà dột nát cho hộ nghèo',
  'tiếp công dân và đối thoại với nhân dân',
  'thực hiện nếp sống văn minh trong việc cưới, việc tang',
  'phòng chống tội phạm và tệ nạn xã hội',
  'phát triển sản phẩm OCOP của địa phương',
  'bảo vệ môi trường làng nghề',
  'giúp đỡ người lao động tìm việc làm',
  'thực hiện dân chủ ở cơ sở',
  'nâng cao chất lượng khám, chữa bệnh',
  'xây dựng gia đình văn hóa',
  'đồng hành cùng doanh nghiệp nhỏ và vừa',
  'thu gom, tái chế rác thải nhựa',
];

/**
 * The first `count` of a fixed roll of full names ("Nguyễn Văn An", "Trần Thị Hải", …), all
 * different up to 240: for a cast that must not draw on a world's random numbers (a draw would
 * change everything drawn after it).
 */
export function fullNames(count: number): string[] {
  // Stepping the given names by 7 (prime to their 30) pairs each family name with several of them.
  return Array.from(
    { length: count },
    (_, i) => `${FAMILY_NAMES[i % FAMILY_NAMES.length]} ${MIDDLE_NAMES[i % MIDDLE_NAMES.length]} ${GIVEN_NAMES[(i * 7) % GIVEN_NAMES.length]}`,
  );
}

/** "Tân Hòa" → "TANHOA": a place or a name as it stands in codes and usernames. */
export function squash(text: string): string {
  return fold(text)
    .replace(/[^a-z0-9]/g, '')
    .toUpperCase();
}
