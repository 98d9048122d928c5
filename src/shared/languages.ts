/**
 * Names of Tesseract's language packs for people: "Hebrew" for `heb`, "Chinese (simplified)" for
 * `chi_sim`. The packs carry no name of their own; their codes are ISO 639-2/3 with a script or a
 * variant after an underscore, which the platform's own language names (Intl.DisplayNames, in
 * Node and in the window alike) read, so every pack has a name without a table to keep up. The few
 * codes that are not languages (`osd`, `equ`) or variants the platform cannot read are named here.
 */
const SPECIAL: Record<string, string> = {
  osd: 'Orientation and script detection',
  equ: 'Math and equations',
  chi_sim: 'Chinese (simplified)',
  chi_tra: 'Chinese (traditional)',
  chi_sim_vert: 'Chinese (simplified, vertical)',
  chi_tra_vert: 'Chinese (traditional, vertical)',
  jpn_vert: 'Japanese (vertical)',
  kor_vert: 'Korean (vertical)',
  deu_frak: 'German (Fraktur)',
  dan_frak: 'Danish (Fraktur)',
  frk: 'German (Fraktur)',
};

let names: Intl.DisplayNames | null | undefined;

function platformName(code: string): string | undefined {
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
    } catch {
      names = null; // a runtime without ICU language names: codes are shown instead
    }
  }
  if (!names) return undefined;
  try {
    return names.of(code);
  } catch {
    return undefined; // not a well-formed language tag (`ita_old`)
  }
}

/** `heb` → `Hebrew`, `aze_cyrl` → `Azerbaijani (Cyrillic)`, `ita_old` → `Italian (old)`; the code itself when unknown. */
export function languageName(code: string): string {
  if (SPECIAL[code]) return SPECIAL[code];
  if (code.startsWith('script/')) return `${code.slice('script/'.length)} script`;
  const old = /^([a-z]{3})_old$/.exec(code);
  if (old) {
    const base = platformName(old[1]);
    return base ? `${base} (old)` : code;
  }
  return platformName(code.replace(/_/g, '-')) ?? code;
}
