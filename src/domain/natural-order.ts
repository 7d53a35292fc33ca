import { compareDecimalText, isAsciiDigit } from './decimal-text.js';

/**
 * Natural order, ascending (issue 22): where both strings have a run of digits at the same
 * place, the runs compare as numbers (`build-9` < `build-11` < `build-100`); everything else
 * compares character by character by code point, so strings without digits keep plain
 * code-point order. Runs equal as numbers (`007`, `7`) compare equal; callers break such ties.
 */
export function compareNatural(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (isAsciiDigit(left[i]) && isAsciiDigit(right[j])) {
      const leftEnd = digitRunEnd(left, i);
      const rightEnd = digitRunEnd(right, j);
      const byNumber = compareDecimalText(
        left.slice(i, leftEnd).join(''),
        right.slice(j, rightEnd).join(''),
      );
      if (byNumber !== 0) return byNumber;
      i = leftEnd;
      j = rightEnd;
      continue;
    }
    const byCodePoint = (left[i]?.codePointAt(0) ?? 0) - (right[j]?.codePointAt(0) ?? 0);
    if (byCodePoint !== 0) return Math.sign(byCodePoint);
    i += 1;
    j += 1;
  }
  // One ran out: the one with characters left is higher, as a longer string is in code-point order.
  return Math.sign(left.length - i - (right.length - j));
}

function digitRunEnd(chars: readonly string[], start: number): number {
  let end = start;
  while (isAsciiDigit(chars[end])) end += 1;
  return end;
}
