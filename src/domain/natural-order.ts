import { compareDecimalText, isAsciiDigit } from './decimal-text.js';

/**
 * Natural order, ascending (issue 22): where both strings have a run of digits at the same
 * place, the runs compare as numbers (`build-9` < `build-11` < `build-100`); everything else
 * compares character by character by code point, so strings without digits keep plain
 * code-point order. Runs equal as numbers (`007`, `7`) compare equal; callers break such ties.
 */
export function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (isAsciiDigit(a[i]) && isAsciiDigit(b[j])) {
      const aEnd = digitRunEnd(a, i);
      const bEnd = digitRunEnd(b, j);
      const byNumber = compareDecimalText(a.slice(i, aEnd), b.slice(j, bEnd));
      if (byNumber !== 0) return byNumber;
      i = aEnd;
      j = bEnd;
      continue;
    }
    // Code points, not UTF-16 units: the same order as compareCodePoints above U+FFFF.
    const left = a.codePointAt(i) ?? 0;
    const right = b.codePointAt(j) ?? 0;
    if (left !== right) return left < right ? -1 : 1;
    i += left > 0xffff ? 2 : 1;
    j += right > 0xffff ? 2 : 1;
  }
  // One ran out: the one with characters left is higher, as a longer string is in code-point order.
  return Math.sign(a.length - i - (b.length - j));
}

function digitRunEnd(text: string, start: number): number {
  let end = start;
  while (isAsciiDigit(text[end])) end += 1;
  return end;
}
