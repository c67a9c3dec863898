/**
 * Synthetic questions the party-procedure documents do not answer, for fitting the
 * abstention model (knowledge/abstain.ts). Built generically — question frames of everyday
 * Vietnamese and a vocabulary of everyday life outside party work (health, transport,
 * money, farming, schooling, home, leisure, civil paperwork) — never from the wording of any
 * evaluation question, so the model learns "words no document uses", not a question set.
 *
 * Two kinds:
 *  - off-domain: the whole question is about something else ("Lãi suất tiết kiệm bao nhiêu?");
 *  - near-domain: a party role in the frame, the rest about something else ("Đảng viên có được
 *    đầu tư chứng khoán không?") — the hard kind, where half the words are the documents'.
 * A third of them are typed without diacritics, as members often do.
 */
import { seededRandom } from '../api/demo/names.ts';
import { foldVietnamese } from '../api/text/fold.ts';

/** Things to do in everyday life, outside party work. */
const ACTIONS = [
  'đổi giấy phép lái xe',
  'đăng kiểm xe ô tô',
  'mua vé tàu dịp Tết',
  'cài lại mật khẩu wifi',
  'nấu phở bò',
  'trồng rau sạch trên sân thượng',
  'nuôi gà thả vườn',
  'sửa máy giặt',
  'gửi tiết kiệm',
  'vay tiền mua nhà',
  'đầu tư chứng khoán',
  'thi bằng lái xe máy',
  'học tiếng Anh giao tiếp',
  'làm sổ đỏ',
  'làm giấy khai sinh cho con',
  'khai báo tạm trú',
  'quyết toán thuế cuối năm',
  'chơi cờ tướng',
  'đi câu cá',
  'khám răng',
  'mua bảo hiểm xe máy',
  'nộp phạt vi phạm giao thông',
  'chữa đau lưng',
  'giảm cân',
  'mở quán cà phê',
  'thuê xe đi chơi xa',
  'đặt bánh sinh nhật',
  'chống hạn cho lúa',
  'lắp điều hòa',
  'xem phim chiếu rạp',
];

/** Everyday things whose price, time or rule one asks about. */
const THINGS = [
  'giá lúa',
  'lãi suất tiết kiệm',
  'tỷ giá đồng euro',
  'học phí đại học',
  'điểm chuẩn đại học',
  'lịch thi đấu bóng đá',
  'giá phân bón',
  'tiền điện',
  'vé máy bay',
  'thuốc hạ sốt',
  'phí cầu đường',
  'giá cá tra',
  'lịch chiếu phim',
  'giá thịt lợn',
  'cước internet',
  'vé xe khách',
  'giá gạo',
  'dự báo mưa bão',
  'giá sữa bột',
  'phí gửi xe',
];

/** Party roles: the documents' words, used only in the near-domain frames. */
const ROLES = ['đảng viên', 'chi bộ', 'đảng viên dự bị', 'cấp ủy', 'người vào Đảng'];

const OFF_DOMAIN: ((a: string, t: string) => string)[] = [
  (_a, t) => `${cap(t)} bây giờ là bao nhiêu?`,
  (a) => `Cách ${a} như thế nào?`,
  (a) => `Làm sao để ${a} nhanh nhất?`,
  (_a, t) => `${cap(t)} tháng này có tăng không?`,
  (a) => `Muốn ${a} thì cần chuẩn bị gì?`,
  (a, t) => `${cap(t)} ảnh hưởng thế nào đến việc ${a}?`,
  (a) => `Có nên ${a} vào cuối tuần không?`,
  (_a, t) => `Tra cứu ${t} ở đâu?`,
];

const NEAR_DOMAIN: ((a: string, t: string, r: string) => string)[] = [
  (a, _t, r) => `${cap(r)} có được ${a} không?`,
  (a, _t, r) => `${cap(r)} muốn ${a} thì làm thế nào?`,
  (_a, t, r) => `${cap(t)} dành cho ${r} là bao nhiêu?`,
  (a, _t, r) => `Quy định về việc ${r} ${a}?`,
  (a, _t, r) => `${cap(r)} ${a} có phải báo cáo không?`,
  (_a, t, r) => `${cap(r)} có được giảm ${t} không?`,
];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface OffTopicQuestion {
  id: string;
  question: string;
  relevant: [];
  kind: 'synthetic-off-domain' | 'synthetic-near-domain';
}

/** `n` questions (half off-domain, half near-domain), the same for the same seed. */
export function offTopicQuestions(n: number, seed = 17): OffTopicQuestion[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const seen = new Set<string>();
  const out: OffTopicQuestion[] = [];
  for (let i = 0; out.length < n && i < n * 20; i++) {
    const near = out.length % 2 === 1;
    let q = near
      ? pick(NEAR_DOMAIN)(pick(ACTIONS), pick(THINGS), pick(ROLES))
      : pick(OFF_DOMAIN)(pick(ACTIONS), pick(THINGS));
    if (rand() < 1 / 3) q = foldVietnamese(q);
    if (seen.has(q)) continue;
    seen.add(q);
    out.push({
      id: `syn${out.length}`,
      question: q,
      relevant: [],
      kind: near ? 'synthetic-near-domain' : 'synthetic-off-domain',
    });
  }
  return out;
}
