// Last-resort hyphenation for the wall when the browser has no dictionary for the language (`hyphens: auto` then
// does nothing and a long German word would be cut anywhere): soft hyphens at syllable-like places, only in words
// too wide for their column. Browsers with a dictionary (Firefox, Chrome on most systems) never get here.

const SOFT = "\u00ad";
const VOWEL = /[aeiouyäöüàáâéèêëíìîïóòôúùû]/i;
const LETTER = /\p{L}/u;
const ONSETS = ["sch", "ch", "ck", "ph", "th", "qu"]; // kept together at the start of the next syllable
const LIQUID_ONSET = /^[bdfgkpt][rl]$/i; // "fr" in "frei": "Barriere-frei", not "Barrieref-rei"

/** Whether the browser hyphenates `lang` itself: a long word in a narrow box wraps instead of overflowing. */
export function browserHyphenates(lang) {
  const probe = document.createElement("span");
  probe.lang = lang;
  Object.assign(probe.style, { position: "absolute", visibility: "hidden", display: "inline-block", width: "5em", hyphens: "auto", webkitHyphens: "auto", overflowWrap: "normal" });
  probe.textContent = "Silbentrennungsprobe Donaudampfschifffahrt";
  document.body.append(probe);
  const wraps = probe.scrollWidth <= probe.clientWidth + 1;
  probe.remove();
  return wraps;
}

/** Where a syllable starts inside a consonant cluster between two vowels (index into the cluster). */
function clusterBreak(cluster) {
  const lower = cluster.toLowerCase();
  for (const onset of ONSETS) if (lower.endsWith(onset) && lower.length >= onset.length) return lower.length - onset.length;
  if (lower.length > 2 && lower.endsWith("st")) return lower.length - 2;
  if (lower.length >= 2 && LIQUID_ONSET.test(lower.slice(-2))) return lower.length - 2;
  return lower.length - 1;
}

/** A word with soft hyphens between syllable-like parts (vowel–consonant rules), at least 3 letters either side. */
export function softHyphenate(word) {
  const breaks = new Set();
  let i = 0;
  while (i < word.length) {
    if (!VOWEL.test(word[i])) { i += 1; continue; }
    let j = i;
    while (j < word.length && VOWEL.test(word[j])) j += 1; // the vowel group
    let k = j;
    while (k < word.length && LETTER.test(word[k]) && !VOWEL.test(word[k])) k += 1; // the consonants after it
    if (k < word.length && k > j && VOWEL.test(word[k])) breaks.add(j + clusterBreak(word.slice(j, k)));
    i = k > j ? k : j;
  }
  const left = /^\P{L}*/u.exec(word)[0].length + 3;
  const right = word.length - 3;
  let out = "";
  for (let p = 0; p < word.length; p += 1) {
    if (breaks.has(p) && p >= left && p <= right && LETTER.test(word[p - 1])) out += SOFT;
    out += word[p];
  }
  return out;
}

/** `text` with soft hyphens in each word wider than `width` px in the canvas `font`. */
export function hyphenateWide(text, width, font) {
  const measure = hyphenateWide.canvas || (hyphenateWide.canvas = document.createElement("canvas").getContext("2d"));
  measure.font = font;
  return text.replace(/\S+/g, (word) => (word.length > 5 && measure.measureText(word).width > width ? softHyphenate(word) : word));
}
