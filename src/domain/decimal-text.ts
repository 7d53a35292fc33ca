/**
 * Compares two runs of ASCII digits by the number they write, ascending, at any length: tags
 * are up to 128 characters, and a build number or a SemVer field may exceed 2^53, where
 * Number() would round two different numbers to the same one. Leading zeros do not count
 * (`007` equals `7`).
 */
export function compareDecimalText(a: string, b: string): number {
  const left = withoutLeadingZeros(a);
  const right = withoutLeadingZeros(b);
  if (left.length !== right.length) return left.length < right.length ? -1 : 1;
  // Same length, digits only: plain comparison is numeric comparison.
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

function withoutLeadingZeros(digits: string): string {
  let start = 0;
  while (start < digits.length - 1 && digits[start] === '0') start += 1;
  return digits.slice(start);
}

export function isAsciiDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}
