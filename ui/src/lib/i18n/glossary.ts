// The workshop's terms, one Korean word each: catalogs and lessons use these and no other, so
// "alert" is never 경보 on one page and 알림 on the next (알림 is a notification).
export const GLOSSARY: readonly { en: RegExp; ko: string; notKo?: string }[] = [
  { en: /\balert/i, ko: '경보', notKo: '알림' },
  { en: /\bnotification/i, ko: '알림' },
  { en: /\bcontinuous integration\b/i, ko: '지속적 통합' },
  { en: /\bcontinuous delivery\b/i, ko: '지속적 제공' },
  { en: /\bcontinuous deployment\b/i, ko: '지속적 배포' },
  { en: /\breplicas?\b/i, ko: '레플리카' },
  { en: /\bretrospective/i, ko: '회고' },
  { en: /\bbacklog\b/i, ko: '백로그' },
  { en: /\bsprint/i, ko: '스프린트' },
];
