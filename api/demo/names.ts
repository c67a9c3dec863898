/**
 * Deterministic Vietnamese names for demo and benchmark data (no real people).
 */
const FAMILY = [
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
const MIDDLE_MALE = ['Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Công', 'Xuân', 'Thành'];
const MIDDLE_FEMALE = ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Minh', 'Hồng', 'Kim', 'Phương'];
const GIVEN_MALE = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Hải',
  'Hùng',
  'Khánh',
  'Long',
  'Nam',
  'Phong',
  'Quân',
  'Sơn',
  'Thắng',
  'Tuấn',
  'Việt',
  'Vinh',
];
const GIVEN_FEMALE = [
  'Anh',
  'Châu',
  'Dung',
  'Giang',
  'Hà',
  'Hạnh',
  'Hoa',
  'Hương',
  'Lan',
  'Linh',
  'Mai',
  'Nga',
  'Oanh',
  'Thảo',
  'Trang',
  'Yến',
];

/** A small seeded PRNG (mulberry32): the same seed gives the same demo every time. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function vietnameseName(gender: 'male' | 'female', rand: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  return gender === 'male'
    ? `${pick(FAMILY)} ${pick(MIDDLE_MALE)} ${pick(GIVEN_MALE)}`
    : `${pick(FAMILY)} ${pick(MIDDLE_FEMALE)} ${pick(GIVEN_FEMALE)}`;
}
